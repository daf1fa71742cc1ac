package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/pricing"
)

// The UI languages: English and Simplified Chinese.
const (
	langEN = "en"
	langZH = "zh"
)

// langCookie remembers the language a user picked with the switch on every page.
const langCookie = "lang"

// pickLang chooses the page language: the remembered choice, else the first English or Chinese
// tag of Accept-Language, else English.
func pickLang(cookie, acceptLanguage string) string {
	if cookie == langEN || cookie == langZH {
		return cookie
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		switch primary {
		case "zh":
			return langZH
		case "en":
			return langEN
		}
	}
	return langEN
}

// tr returns the UI string key in lang; a missing key shows as ⟦key⟧ so tests catch it.
func tr(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if lang == langZH {
		return m[1]
	}
	return m[0]
}

// zhCurrency names the currencies a Chinese reader expects in words; others keep their code.
var zhCurrency = map[string]string{"EUR": "欧元", "CNY": "元人民币", "USD": "美元", "GBP": "英镑", "CHF": "瑞士法郎", "JPY": "日元", "HKD": "港元"}

// formatMoney formats an amount for lang with thousands separators and the currency's minor
// units: "EUR 1,234.56" in English, "1,234.56 欧元" in Chinese. The currency is always named.
func formatMoney(lang string, amount decimal.Decimal, cur string) string {
	a := pricing.FormatAmount(amount, cur)
	if lang == langZH {
		if name, ok := zhCurrency[cur]; ok {
			return a + " " + name
		}
		return a + " " + cur
	}
	return cur + " " + a
}

// formatUnitPrice formats a price per unit with up to four decimals (unit prices are quoted
// finer than the currency's minor unit), at least the minor units.
func formatUnitPrice(lang string, amount decimal.Decimal, cur string) string {
	minor, ok := pricing.MinorUnits(cur)
	if !ok {
		minor = 2
	}
	places := int32(minor)
	if r := amount.Round(4); !r.Equal(amount.Round(places)) {
		places = 4
		for places > int32(minor) && r.Equal(r.Round(places-1)) {
			places--
		}
	}
	s := groupThousands(amount.StringFixed(places))
	if lang == langZH {
		if name, ok := zhCurrency[cur]; ok {
			return s + " " + name
		}
		return s + " " + cur
	}
	return cur + " " + s
}

// groupThousands inserts comma separators into the integer part of a decimal string.
func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// formatNumber formats a decimal quantity (kWh, TFLOPS, GPU-hours) with thousands separators
// and at most places decimals, trailing zeros dropped.
func formatNumber(d decimal.Decimal, places int32) string {
	return groupThousands(d.Round(places).String())
}

// handleLang remembers the chosen language for a year and goes back to the page the switch
// was clicked on (only a local path, never another site).
func handleLang(c *fiber.Ctx) error {
	code := c.Params("code")
	if code != langEN && code != langZH {
		code = langEN
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax", HTTPOnly: true, Secure: c.Protocol() == "https"})
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// countryNames names the buyer countries the forms offer: the EU27, China and common others.
var countryNames = []struct{ Code, EN, ZH string }{
	{"AT", "Austria", "奥地利"}, {"BE", "Belgium", "比利时"}, {"BG", "Bulgaria", "保加利亚"}, {"HR", "Croatia", "克罗地亚"},
	{"CY", "Cyprus", "塞浦路斯"}, {"CZ", "Czechia", "捷克"}, {"DK", "Denmark", "丹麦"}, {"EE", "Estonia", "爱沙尼亚"},
	{"FI", "Finland", "芬兰"}, {"FR", "France", "法国"}, {"DE", "Germany", "德国"}, {"GR", "Greece", "希腊"},
	{"HU", "Hungary", "匈牙利"}, {"IE", "Ireland", "爱尔兰"}, {"IT", "Italy", "意大利"}, {"LV", "Latvia", "拉脱维亚"},
	{"LT", "Lithuania", "立陶宛"}, {"LU", "Luxembourg", "卢森堡"}, {"MT", "Malta", "马耳他"}, {"NL", "Netherlands", "荷兰"},
	{"PL", "Poland", "波兰"}, {"PT", "Portugal", "葡萄牙"}, {"RO", "Romania", "罗马尼亚"}, {"SK", "Slovakia", "斯洛伐克"},
	{"SI", "Slovenia", "斯洛文尼亚"}, {"ES", "Spain", "西班牙"}, {"SE", "Sweden", "瑞典"},
	{"CN", "China", "中国"}, {"HK", "Hong Kong SAR", "中国香港"},
	{"CH", "Switzerland", "瑞士"}, {"GB", "United Kingdom", "英国"}, {"NO", "Norway", "挪威"}, {"US", "United States", "美国"},
	{"JP", "Japan", "日本"}, {"KR", "Korea", "韩国"}, {"SG", "Singapore", "新加坡"}, {"IN", "India", "印度"},
}

// formCurrencies are the quote currencies the forms offer (any ISO code works via the API).
var formCurrencies = []string{"EUR", "CNY", "USD", "GBP", "CHF", "PLN", "SEK", "CZK", "DKK", "HUF", "JPY"}

// messages holds every UI string: {English, Simplified Chinese}.
var messages = map[string][2]string{
	"site.tagline":       {"Compute capacity across the China–EU corridor, priced with duties, taxes and FX", "中欧走廊算力市场：含关税、税费与汇率的到岸价格"},
	"nav.market":         {"Market", "市场"},
	"nav.compare":        {"Compare", "比较"},
	"nav.skip":           {"Skip to content", "跳到正文"},
	"lang.label":         {"Language", "语言"},
	"footer.demo":        {"Offers marked Demo are invented for demonstration. Figures marked estimate or illustrative are not facts; every figure names its source.", "标有“演示”的报价为演示用虚构数据。标有“估计”或“示意”的数字并非事实；每个数字均注明来源。"},
	"footer.api":         {"API", "API"},
	"badge.demo":         {"Demo", "演示"},
	"badge.sourced":      {"sourced", "有来源"},
	"badge.estimate":     {"estimate", "估计"},
	"badge.illustrative": {"illustrative", "示意"},
	"badge.withdrawn":    {"withdrawn", "已撤回"},
	"any":                {"Any", "不限"},
	"apply":              {"Apply filters", "筛选"},
	"reset":              {"Reset", "重置"},
	"yes":                {"yes", "是"},
	"no":                 {"no", "否"},
	"source":             {"Source", "来源"},
	"as_of":              {"as of", "截至"},
	"note":               {"Note", "说明"},
	"error.title":        {"Something went wrong", "出错了"},
	"error.fields":       {"Please correct the marked fields.", "请更正标出的字段。"},
	"error.request_id":   {"Request id", "请求编号"},
	"error.back":         {"Back to the market", "返回市场"},
	"error.csrf":         {"This form has expired or did not come from this site. Reload the page and submit it again.", "此表单已过期或并非来自本站。请刷新页面后重新提交。"},
	"error.notfound":     {"Not found", "未找到"},

	"market.title":         {"GPU capacity market", "GPU 算力市场"},
	"market.filters":       {"Filters", "筛选条件"},
	"market.bloc":          {"Bloc", "区域"},
	"market.region":        {"Region", "地区"},
	"market.accelerator":   {"Accelerator", "加速卡"},
	"market.gpus_min":      {"At least GPUs", "最少 GPU 数"},
	"market.price_max":     {"Max price per GPU-hour", "每 GPU 小时最高价"},
	"market.currency":      {"Show prices in", "价格显示币种"},
	"market.pricing":       {"Pricing model", "计价模式"},
	"market.from":          {"Available from", "可用起始日"},
	"market.until":         {"Available until", "可用截止日"},
	"market.export_class":  {"Export-control class", "出口管制分类"},
	"market.q":             {"Search (query language)", "搜索（查询语言）"},
	"market.q_hint":        {"e.g. accelerator=h100-sxm gpus>=8 price<=2.5 — see the search language reference", "例如 accelerator=h100-sxm gpus>=8 price<=2.5 — 参见搜索语言文档"},
	"market.sort":          {"Sort by", "排序"},
	"market.results":       {"Offers", "报价"},
	"market.none":          {"No offer matches these filters.", "没有符合条件的报价。"},
	"market.first":         {"First page", "第一页"},
	"market.next":          {"Next", "下一页"},
	"market.map":           {"Where the capacity is", "算力分布"},
	"market.map_hint":      {"Click a site to show its offers. Filled circles have offers.", "点击站点查看其报价。实心圆表示有报价。"},
	"market.map_cn":        {"China: East Data West Compute hubs and clusters", "中国：“东数西算”枢纽与集群"},
	"market.map_eu":        {"EU: AI Factories and antennas", "欧盟：AI 工厂及分站"},
	"market.fx_note":       {"Converted at ECB reference rates of %s; the quote fixes the rate.", "按欧洲央行 %s 参考汇率换算；以报价中的汇率为准。"},
	"market.fx_note_other": {"Converted at rates dated %s that are not all published ECB figures (source: %s); the quote fixes the rate and names its source.", "按 %s 的汇率换算，并非全部为欧洲央行公布的数字（来源：%s）；以报价中的汇率及其来源为准。"},
	"market.clear_region":  {"Show all regions", "显示全部地区"},
	"sort.price":           {"Price, low to high", "价格从低到高"},
	"sort.-price":          {"Price, high to low", "价格从高到低"},
	"sort.per_pflop_hour":  {"Price per PFLOP-hour", "每 PFLOP 小时价格"},
	"sort.available_from":  {"Earliest availability", "最早可用"},
	"sort.-gpus":           {"Most GPUs", "GPU 最多"},

	"col.supplier":       {"Supplier", "供应商"},
	"col.region":         {"Region", "地区"},
	"col.accelerator":    {"Accelerator", "加速卡"},
	"col.gpus":           {"GPUs free", "可用 GPU"},
	"col.pricing":        {"Pricing", "计价"},
	"col.price":          {"Price per GPU-hour", "每 GPU 小时价格"},
	"col.listed":         {"listed", "挂牌价"},
	"col.available":      {"Available", "可用期"},
	"col.action":         {"Offer", "报价"},
	"col.rank":           {"Rank", "排名"},
	"col.landed":         {"Landed cost", "到岸成本"},
	"col.total":          {"Total payable", "应付总额"},
	"col.per_gpu_hour":   {"per GPU-hour", "每 GPU 小时"},
	"col.per_pflop_hour": {"per PFLOP-hour", "每 PFLOP 小时"},
	"col.flags":          {"Flags", "提示"},
	"open_offer":         {"Details & quote", "详情与报价"},

	"bloc.CN":                 {"China", "中国"},
	"bloc.EU":                 {"EU", "欧盟"},
	"kind.hub_node":           {"hub node", "枢纽节点"},
	"kind.cluster":            {"data-centre cluster", "数据中心集群"},
	"kind.ai_factory":         {"AI Factory", "AI 工厂"},
	"kind.ai_factory_antenna": {"AI Factory antenna", "AI 工厂分站"},
	"pricing.on_demand":       {"on demand", "按需"},
	"pricing.reserved":        {"reserved", "预留"},
	"pricing.interruptible":   {"interruptible", "可中断"},
	"product.gpu_hours":       {"GPU-hours", "GPU 时"},
	"product.bare_metal":      {"bare metal", "裸金属"},
	"product.hardware":        {"hardware", "硬件"},
	"export.3a090a":           {"3A090.a (controlled)", "3A090.a（受管制）"},
	"export.none":             {"not 3A090.a", "非 3A090.a"},

	"offer.title":           {"Offer %s", "报价 %s"},
	"offer.specs":           {"Accelerator", "加速卡"},
	"offer.vendor":          {"Vendor", "厂商"},
	"offer.memory":          {"Memory", "显存"},
	"offer.bandwidth":       {"Memory bandwidth", "显存带宽"},
	"offer.bf16":            {"BF16 dense", "BF16 稠密算力"},
	"offer.fp8":             {"FP8 dense", "FP8 稠密算力"},
	"offer.int8":            {"INT8 dense", "INT8 稠密算力"},
	"offer.tdp":             {"TDP", "功耗（TDP）"},
	"offer.tpp":             {"TPP (3A090)", "TPP（3A090）"},
	"offer.export_class":    {"Export-control class", "出口管制分类"},
	"offer.region":          {"Region", "地区"},
	"offer.pue":             {"PUE target", "PUE 目标"},
	"offer.grid":            {"Grid carbon intensity", "电网碳强度"},
	"offer.power":           {"Electricity price", "电价"},
	"offer.not_found_value": {"not found in sources", "来源中未找到"},
	"offer.supplier":        {"Supplier", "供应商"},
	"offer.terms":           {"Terms and availability", "条款与可用期"},
	"offer.product":         {"Product", "产品"},
	"offer.price":           {"Price", "价格"},
	"offer.min_hours":       {"Minimum hours", "最短时长（小时）"},
	"offer.term":            {"Term", "合约期"},
	"offer.months":          {"%d months", "%d 个月"},
	"offer.tiers":           {"Volume discounts", "量大优惠"},
	"offer.tier":            {"from %s GPU-hours: %s off", "满 %s GPU 时：优惠 %s"},
	"offer.capacity":        {"Capacity", "容量"},
	"offer.window":          {"Availability", "可用期"},
	"offer.note":            {"Supplier's note", "供应商备注"},
	"offer.withdrawn":       {"This offer was withdrawn and can no longer be quoted.", "该报价已撤回，无法再询价。"},
	"offer.country":         {"Country", "国家"},

	"form.quote":          {"Request a quote", "申请报价"},
	"form.gpus":           {"GPUs", "GPU 数量"},
	"form.hours":          {"Hours", "时长（小时）"},
	"form.buyer_country":  {"Buyer country", "买方所在国"},
	"form.buyer_type":     {"Buyer type", "买方类型"},
	"form.business":       {"Business (VAT-registered)", "企业（增值税登记）"},
	"form.consumer":       {"Consumer", "个人消费者"},
	"form.vat_id":         {"VAT id (optional)", "税号（可选）"},
	"form.currency":       {"Quote currency", "报价币种"},
	"form.personal_data":  {"The workload processes personal data", "工作负载处理个人数据"},
	"form.as_of":          {"Pricing date (optional)", "定价日期（可选）"},
	"form.as_of_hint":     {"Policy and FX rates in force on this date; empty = today.", "使用该日生效的政策与汇率；留空为今天。"},
	"form.scenario":       {"Policy scenario (optional)", "政策情景（可选）"},
	"form.baseline":       {"Baseline: policy in force", "基准：现行政策"},
	"form.submit_quote":   {"Get quote", "获取报价"},
	"form.min_bf16":       {"or at least BF16 TFLOPS per GPU", "或每 GPU 至少 BF16 TFLOPS"},
	"form.submit_compare": {"Compare offers", "比较报价"},

	"quote.title":          {"Quote %s", "报价单 %s"},
	"quote.for_offer":      {"for offer", "对应报价"},
	"quote.valid_until":    {"Valid until", "有效期至"},
	"quote.expired":        {"This quote has expired. Request a new one from the offer page.", "该报价已过期，请在报价页面重新申请。"},
	"quote.remaining":      {"remaining", "剩余"},
	"quote.flags":          {"Compliance flags", "合规提示"},
	"quote.lines":          {"Price build-up", "价格构成"},
	"quote.col.label":      {"Line", "项目"},
	"quote.col.basis":      {"Base", "计税基础"},
	"quote.col.rate":       {"Rate", "税率"},
	"quote.col.legal":      {"Legal reference", "法律依据"},
	"quote.col.amount":     {"Amount", "金额"},
	"quote.col.payable":    {"Payable", "是否应付"},
	"quote.payable":        {"payable", "应付"},
	"quote.not_payable_rc": {"not payable — reverse charge: the buyer self-accounts", "不应付 — 反向征收：由买方自行申报"},
	"quote.not_payable":    {"not payable — shown for information", "不应付 — 仅供参考"},
	"quote.included":       {"included in the price", "已含在价格中"},
	"quote.recoverable":    {"recoverable", "可抵扣"},
	"quote.subtotal":       {"Net price", "净价"},
	"quote.total":          {"Total", "总计"},
	"quote.net_cost":       {"Net cost after recoverable taxes", "扣除可抵扣税后的净成本"},
	"quote.per_gpu_hour":   {"Per GPU-hour", "每 GPU 小时"},
	"quote.per_pflop_hour": {"Per BF16 PFLOP-hour", "每 BF16 PFLOP 小时"},
	"quote.quantity":       {"Quantity", "数量"},
	"quote.fx":             {"Exchange rates used", "所用汇率"},
	"quote.fx_none":        {"No conversion: the offer is listed in the quote currency.", "无需换算：报价币种与挂牌币种相同。"},
	"quote.energy":         {"Energy and emissions (estimates)", "能耗与排放（估计）"},
	"quote.energy_kwh":     {"Facility energy", "设施能耗"},
	"quote.emissions":      {"Emissions", "排放"},
	"quote.estimates_note": {"Estimates: GPU TDP × hours × the region's PUE target, × the grid's average carbon intensity.", "估计值：GPU 功耗 × 时长 × 地区 PUE 目标 × 电网平均碳强度。"},
	"quote.policy":         {"Policy", "政策"},
	"quote.window":         {"Reserved window", "预留时段"},
	"quote.buyer":          {"Buyer", "买方"},
	"quote.download":       {"Download", "下载"},
	"quote.print":          {"Print", "打印"},
	"quote.accept":         {"Accept quote and order", "接受报价并下单"},
	"quote.accept_hint":    {"Accepting reserves the GPUs and creates a binding order at this total.", "接受后将预留 GPU 并按此总额生成具约束力的订单。"},
	"quote.request":        {"Request", "请求"},
	"quote.scenario":       {"Scenario", "情景"},

	"order.title":     {"Order %s", "订单 %s"},
	"order.status":    {"Status", "状态"},
	"order.confirmed": {"Confirmed", "已确认"},
	"order.quote":     {"Quote", "报价单"},
	"order.offer":     {"Offer", "报价"},
	"order.gpus":      {"GPUs reserved", "已预留 GPU"},
	"order.window":    {"Window", "时段"},
	"order.total":     {"Total", "总计"},
	"order.created":   {"Created", "创建时间"},
	"order.thanks":    {"The capacity is reserved for you. Keep the order id for your records.", "算力已为您预留。请保存订单编号。"},

	"compare.title":              {"Compare offers by landed cost", "按到岸成本比较报价"},
	"compare.intro":              {"State your need once; every matching offer is priced with duties, taxes, subsidies and FX for you and ranked by what it costs you.", "只需填写一次需求；系统为您计算每个匹配报价的关税、税费、补贴与汇率，并按您的实际成本排序。"},
	"compare.chart":              {"Landed cost, split into its parts", "到岸成本构成"},
	"compare.ranked_by.net_cost": {"Ranked by net cost (recoverable VAT excluded, as for a business).", "按净成本排序（企业可抵扣的增值税不计入）。"},
	"compare.ranked_by.total":    {"Ranked by total payable (as for a consumer).", "按应付总额排序（个人消费者）。"},
	"compare.unquotable":         {"Matching but not quotable", "匹配但无法报价"},
	"compare.quote_this":         {"Quote this offer", "对此报价询价"},
	"compare.warnings":           {"Warnings", "警告"},
	"compare.none":               {"No offer matches this need.", "没有符合需求的报价。"},
	"part.price":                 {"Price", "价格"},
	"part.duties":                {"Duties and levies", "关税与附加费"},
	"part.taxes":                 {"Non-recoverable taxes", "不可抵扣税费"},
	"part.subsidies":             {"Subsidies (negative, left of zero)", "补贴（负值，在零点左侧）"},
}
