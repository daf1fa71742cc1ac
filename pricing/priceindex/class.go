package priceindex

// Class is a group of accelerator models whose compute is priced as one market: a buyer who
// asks for "an H100" takes an H100 SXM, PCIe or NVL, or the China SKU H800, at comparable
// prices. Every model of the catalogue belongs to exactly one class (TestEveryCatalogueModel
// in package seed); a model the table does not name falls into ClassOther.
type Class struct {
	Code   string   // the API's class parameter, e.g. "h100"
	Name   string   // e.g. "H100-class"
	NameZH string   // e.g. "H100 级"
	Models []string // catalogue model codes; the first is the class's representative (landed index)
	Note   string   // why these models are grouped
}

// ClassOther is the class of models not named in Classes.
const ClassOther = "other"

// Classes is the documented mapping from the accelerator catalogue's model codes to index
// classes, in the order pages list them. Grouping follows architecture generation and
// comparable dense BF16 throughput, so that a class's mean price per GPU-hour compares like
// with like; the per-PFLOP-hour figure corrects for what differences remain.
var Classes = []Class{
	{Code: "h100", Name: "H100-class", NameZH: "H100 级", Models: []string{"h100-sxm", "h100-pcie", "h100-nvl", "h800-sxm"},
		Note: "NVIDIA Hopper with 80-94 GB, including the China SKU H800 (same die, reduced interconnect)"},
	{Code: "h200", Name: "H200-class", NameZH: "H200 级", Models: []string{"h200-sxm"},
		Note: "NVIDIA Hopper with 141 GB HBM3e"},
	{Code: "b200", Name: "B200-class", NameZH: "B200 级", Models: []string{"b200", "gb200"},
		Note: "NVIDIA Blackwell data-centre GPUs"},
	{Code: "a100", Name: "A100-class", NameZH: "A100 级", Models: []string{"a100-sxm-80gb", "a100-pcie-80gb", "a800-sxm-80gb"},
		Note: "NVIDIA Ampere 80 GB, including the China SKU A800"},
	{Code: "china-sku", Name: "H20/L20-class", NameZH: "H20/L20 级", Models: []string{"h20", "l20"},
		Note: "NVIDIA parts designed under the US export thresholds for China"},
	{Code: "l40s", Name: "L40S-class", NameZH: "L40S 级", Models: []string{"l40s", "rtx-4090"},
		Note: "NVIDIA Ada inference and graphics parts"},
	{Code: "mi300", Name: "MI300-class", NameZH: "MI300 级", Models: []string{"mi300x", "mi325x", "mi355x", "mi250x"},
		Note: "AMD Instinct CDNA accelerators"},
	{Code: "ascend910", Name: "Ascend 910-class", NameZH: "昇腾 910 级", Models: []string{"ascend-910b", "ascend-910c", "ascend-950pr"},
		Note: "Huawei Ascend training accelerators"},
	{Code: "cn-other", Name: "Other Chinese accelerators", NameZH: "其他国产加速卡",
		Models: []string{"mlu590", "mlu370-x8", "hygon-k100", "hygon-z100", "kunlunxin-p800", "biren-br100", "biren-br104", "mtt-s5000", "mtt-s4000", "enflame-t21"},
		Note:   "Cambricon, Hygon, Kunlunxin, Biren, Moore Threads and Enflame"},
	{Code: ClassOther, Name: "Other accelerators", NameZH: "其他加速卡",
		Note: "models the mapping does not name yet"},
}

var classOfModel = func() map[string]string {
	m := map[string]string{}
	for _, c := range Classes {
		for _, model := range c.Models {
			m[model] = c.Code
		}
	}
	return m
}()

// ClassOf returns the code of the class model belongs to (ClassOther for a model no class
// names).
func ClassOf(model string) string {
	if c, ok := classOfModel[model]; ok {
		return c
	}
	return ClassOther
}

// Named reports whether model is named by a class of the table (not left to ClassOther).
func Named(model string) bool {
	_, ok := classOfModel[model]
	return ok
}

// LookupClass returns the class with code; ok is false for an unknown code.
func LookupClass(code string) (Class, bool) {
	for _, c := range Classes {
		if c.Code == code {
			return c, true
		}
	}
	return Class{}, false
}

// ClassCodes lists the class codes, for messages: "h100, h200, …".
func ClassCodes() []string {
	out := make([]string, len(Classes))
	for i, c := range Classes {
		out[i] = c.Code
	}
	return out
}
