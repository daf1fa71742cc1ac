package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/tariff"
)

// legacyQuoteRow is the quotes table as migration 1 creates it (the first release): the
// request and the whole priced quote as JSON in the default encoding of the Go types of that
// release (legacyRequest, legacyQuote). Migration 2 replaces both by the record.
type legacyQuoteRow struct {
	ID         string          `gorm:"primaryKey;size:64"`
	OfferID    string          `gorm:"size:64;not null;index"`
	Request    string          `gorm:"type:text;not null"`
	GPUs       int             `gorm:"not null"`
	StartAt    int64           `gorm:"not null"`
	EndAt      int64           `gorm:"not null"`
	Currency   string          `gorm:"size:3;not null"`
	Total      decimal.Decimal `gorm:"type:text;not null"`
	CreatedAt  time.Time
	ValidUntil time.Time `gorm:"not null"`
	PolicyID   string    `gorm:"size:128;not null"`
	PolicyVer  int       `gorm:"not null"`
	PolicyHash string    `gorm:"size:64;not null"`
	QuotaUses  string    `gorm:"type:text;not null"`
	Document   string    `gorm:"type:text;not null"`
}

func (legacyQuoteRow) TableName() string { return "quotes" }

// quoteRecordColumns are the columns migration 2 adds to quotes.
type quoteRecordColumns struct {
	RecordVersion int `gorm:"not null;default:0"`
	Record        []byte
	ExpiresUnix   int64 `gorm:"not null;default:0"`
}

func (quoteRecordColumns) TableName() string { return "quotes" }

// The first release's JSON of a quote request and of a priced quote: Go field names, no tags.
type (
	legacyRequest struct {
		OfferID      string
		GPUs         int
		Hours        int
		Units        int
		Buyer        struct{ Country, Type, VATID, Region string }
		Currency     string
		AsOf         time.Time
		Start        time.Time
		PersonalData bool
	}
	legacyQuote struct {
		OfferID         string
		Currency        string
		AsOf            time.Time
		CreatedAt       time.Time
		ValidUntil      time.Time
		Lines           []legacyLine
		Subtotal        decimal.Decimal
		Total           decimal.Decimal
		NetCost         decimal.Decimal
		LandedCost      decimal.Decimal
		Quantity        decimal.Decimal
		PerGPUHour      decimal.Decimal
		PerPFLOPHour    decimal.Decimal
		EnergyKWh       decimal.Decimal
		EmissionsKgCO2e decimal.Decimal
		FX              []legacyFXUse
		Flags           []legacyFlag
		Trail           []struct {
			MeasureID string
			Applied   bool
			Reason    string
		}
		Policy struct {
			ID      string
			Version int
			Hash    string
		}
		Rounding string
		Offer    legacyOfferTerms
		Request  struct {
			GPUs, Hours, Units                             int
			BuyerCountry, BuyerRegion, BuyerType, Currency string
			AsOf, Start                                    time.Time
			PersonalData                                   bool
			Freight, Insurance                             decimal.Decimal
		}
		Snapshot struct {
			Date  time.Time
			Rates map[string]struct {
				Currency string
				PerEUR   decimal.Decimal
				Date     time.Time
				Source   string
			}
		}
		Validity time.Duration
	}
	legacyLine struct {
		Kind, Label, LabelZH           string
		Amount                         decimal.Decimal
		Currency, MeasureID, Rate      string
		Basis                          string
		BaseAmount                     decimal.Decimal
		LegalRef                       []string
		Payable, Recoverable, Included bool
		Quota                          string
		QuotaVolume                    decimal.Decimal
	}
	legacyFXUse struct {
		From, To             string
		Rate                 decimal.Decimal
		Date                 time.Time
		Source               string
		FromPerEUR, ToPerEUR decimal.Decimal
	}
	legacyFlag struct {
		Code, Severity, Message, MeasureID string
		Legal                              []string
	}
	legacyOfferTerms struct {
		ID, Product                   string
		Price                         decimal.Decimal
		Currency, Pricing             string
		MinHours, TermMonths          int
		Tiers                         []struct{ MinGPUHours, Discount decimal.Decimal }
		Capacity                      int
		AvailableFrom, AvailableUntil time.Time
		HSCode, Origin, Region, Bloc  string
		PUE, GridKgPerKWh             decimal.Decimal
		Accelerator                   struct {
			Model, VendorCountry string
			TPP, Density         decimal.Decimal
		}
		BF16TFLOPS, TDPW decimal.Decimal
	}
)

// migrateQuoteRecords is migration 2: it adds the record columns, converts every stored quote
// (its request and priced document) into a record, then drops the old columns and adds the
// expiry in Unix seconds, indexed, for purging. Nothing of a quote is lost: the record holds every field the
// document held, except the FX rates it did not use and the labels of the price lines (words
// made from the kind, the request and the offer, which web/i18n.LineLabel makes now), and adds
// what the first release did not record. The scenario version is found by its hash: the document's policy hash is
// sha256(baseline hash + "+" + scenario hash). The quota balances a quote saw are its in-quota
// volumes (as the first release re-priced them).
func migrateQuoteRecords(tx *gorm.DB, _ migrator) error {
	mg := tx.Migrator()
	for _, col := range []string{"RecordVersion", "Record", "ExpiresUnix"} {
		if !mg.HasColumn(&quoteRecordColumns{}, col) {
			if err := mg.AddColumn(&quoteRecordColumns{}, col); err != nil {
				return err
			}
		}
	}
	var versions []policyVersionRow
	if err := tx.Select("policy_id, version, hash").Find(&versions).Error; err != nil {
		return err
	}
	const batch = 500
	for {
		var rows []legacyQuoteRow
		if err := tx.Where("record_version = 0").Order("id").Limit(batch).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			q, err := r.quote(versions)
			if err != nil {
				return fmt.Errorf("quote %s: %w", r.ID, err)
			}
			rec, err := encodeQuoteRecord(q, nil) // holding its explanation: this step runs before quote_explanations exists
			if err != nil {
				return fmt.Errorf("quote %s: %w", r.ID, err)
			}
			if err := tx.Model(&quoteRecordColumns{}).Where("id = ?", r.ID).
				Updates(map[string]any{"record_version": quoteRecordVersion, "record": rec, "expires_unix": q.ValidUntil.Unix()}).Error; err != nil {
				return err
			}
		}
		if len(rows) < batch {
			break
		}
	}
	for _, col := range []string{"document", "request"} {
		if mg.HasColumn(&legacyQuoteRow{}, col) {
			if err := tx.Exec("ALTER TABLE quotes DROP COLUMN " + col).Error; err != nil {
				return err
			}
		}
	}
	return tx.Exec("CREATE INDEX IF NOT EXISTS idx_quotes_expires_unix ON quotes (expires_unix)").Error
}

// quote rebuilds the first release's quote as the domain value the record is made from.
func (r legacyQuoteRow) quote(versions []policyVersionRow) (marketplace.Quote, error) {
	var req legacyRequest
	if err := json.Unmarshal([]byte(r.Request), &req); err != nil {
		return marketplace.Quote{}, fmt.Errorf("decode request: %w", err)
	}
	var d legacyQuote
	if err := json.Unmarshal([]byte(r.Document), &d); err != nil {
		return marketplace.Quote{}, fmt.Errorf("decode document: %w", err)
	}
	uses, err := decodeQuotaUses(r.QuotaUses)
	if err != nil {
		return marketplace.Quote{}, err
	}
	baseline, scenario := legacyPolicyRefs(r.PolicyID, r.PolicyVer, r.PolicyHash, versions)

	o := d.Offer
	terms := pricing.OfferTerms{ID: o.ID, Product: tariff.Product(o.Product), Price: o.Price, Currency: o.Currency,
		Pricing: pricing.PricingModel(o.Pricing), MinHours: o.MinHours, TermMonths: o.TermMonths, Capacity: o.Capacity,
		AvailableFrom: o.AvailableFrom.UTC(), AvailableUntil: o.AvailableUntil.UTC(), HSCode: o.HSCode, Origin: o.Origin,
		Region: o.Region, Bloc: o.Bloc, PUE: o.PUE, GridKgPerKWh: o.GridKgPerKWh,
		Accelerator: tariff.Accelerator{Model: o.Accelerator.Model, VendorCountry: o.Accelerator.VendorCountry, TPP: o.Accelerator.TPP, Density: o.Accelerator.Density},
		BF16TFLOPS:  o.BF16TFLOPS, TDPW: o.TDPW}
	for _, t := range o.Tiers {
		terms.Tiers = append(terms.Tiers, pricing.Tier{MinGPUHours: t.MinGPUHours, Discount: t.Discount})
	}
	dr := d.Request
	preq := pricing.Request{GPUs: dr.GPUs, Hours: dr.Hours, Units: dr.Units, BuyerCountry: dr.BuyerCountry, BuyerRegion: dr.BuyerRegion,
		BuyerType: tariff.BuyerType(dr.BuyerType), Currency: dr.Currency, AsOf: dr.AsOf.UTC(), Start: dr.Start.UTC(),
		PersonalData: dr.PersonalData, Freight: dr.Freight, Insurance: dr.Insurance}
	rates := map[string]pricing.Rate{}
	for _, u := range d.FX {
		for _, cur := range []string{u.From, u.To} {
			if rt, ok := d.Snapshot.Rates[cur]; ok {
				rates[cur] = pricing.Rate{Currency: cur, PerEUR: rt.PerEUR, Date: rt.Date.UTC(), Source: rt.Source}
			}
		}
	}
	in := pricing.Inputs{Offer: terms, Request: preq, Baseline: baseline, Scenario: scenario,
		FX: pricing.NewSnapshot(d.Snapshot.Date, rates), Quota: legacyQuotaBalances(d.Lines, d.Flags, uses),
		Now: d.CreatedAt.UTC(), Validity: d.Validity}

	p := pricing.Quote{OfferID: d.OfferID, Currency: d.Currency, AsOf: d.AsOf.UTC(), CreatedAt: in.Now, ValidUntil: d.ValidUntil.UTC(),
		Subtotal: d.Subtotal, Total: d.Total, NetCost: d.NetCost, LandedCost: d.LandedCost, Quantity: d.Quantity,
		PerGPUHour: d.PerGPUHour, PerPFLOPHour: d.PerPFLOPHour, EnergyKWh: d.EnergyKWh, EmissionsKgCO2e: d.EmissionsKgCO2e,
		Policy:   pricing.PolicyRef{ID: d.Policy.ID, Version: d.Policy.Version, Hash: d.Policy.Hash},
		Rounding: pricing.RoundingMode(d.Rounding), Offer: terms, Request: preq, Snapshot: in.FX, Validity: d.Validity}
	for _, l := range d.Lines {
		label := l.Label
		if l.Kind == "base" || l.Kind == "discount" {
			// The first release worded the price lines itself ("h100-sxm: 8 GPUs × 100 h
			// (on_demand)", "Volume discount 5%") from the kind, the request and the offer;
			// web/i18n.LineLabel words them now, for every quote, so no label is stored.
			label = ""
		}
		p.Lines = append(p.Lines, pricing.Line{Kind: l.Kind, Label: label, LabelZH: l.LabelZH, Amount: l.Amount, Currency: l.Currency,
			MeasureID: l.MeasureID, Rate: l.Rate, Basis: l.Basis, BasisKind: legacyBasisKind(l.Kind, l.Basis), BaseAmount: l.BaseAmount,
			LegalRef: l.LegalRef, Payable: l.Payable, Recoverable: l.Recoverable, Included: l.Included, Quota: l.Quota, QuotaVolume: l.QuotaVolume})
	}
	for _, u := range d.FX {
		p.FX = append(p.FX, pricing.FXUse{From: u.From, To: u.To, Rate: u.Rate, Date: u.Date.UTC(), Source: u.Source, FromPerEUR: u.FromPerEUR, ToPerEUR: u.ToPerEUR})
	}
	for _, f := range d.Flags {
		p.Flags = append(p.Flags, tariff.Flag{Code: f.Code, Severity: tariff.Severity(f.Severity), Message: f.Message, MeasureID: f.MeasureID, Legal: f.Legal})
	}
	for _, c := range d.Trail {
		p.Trail = append(p.Trail, tariff.Consideration{MeasureID: c.MeasureID, Applied: c.Applied, Reason: c.Reason})
	}
	return marketplace.Quote{
		ID: r.ID, OfferID: r.OfferID, GPUs: r.GPUs, Start: time.Unix(r.StartAt, 0).UTC(), End: time.Unix(r.EndAt, 0).UTC(),
		Currency: r.Currency, Total: r.Total, CreatedAt: in.Now, ValidUntil: p.ValidUntil, QuotaUses: uses,
		Request: marketplace.QuoteRequest{OfferID: req.OfferID, GPUs: req.GPUs, Hours: req.Hours, Units: req.Units,
			Buyer:    marketplace.Buyer{Country: req.Buyer.Country, Type: req.Buyer.Type, VATID: req.Buyer.VATID, Region: req.Buyer.Region},
			Currency: req.Currency, AsOf: req.AsOf.UTC(), Start: req.Start.UTC(), PersonalData: req.PersonalData, Scenario: scenario.ID},
		Inputs: in, Priced: p,
	}, nil
}

// legacyBasisNames are the words the first release ended a line's basis text with, by the
// base they name (pricing.Line.BasisKind).
var legacyBasisNames = []struct{ words, kind string }{
	{" quantity", "quantity"}, {" net price", "net_price"}, {" customs value", "customs_value"},
	{" value plus duties", "value_plus_duties"}, {" gross payment", "gross_payment"},
	{" tax amount", "tax_amount"}, {" contract amount", "contract_amount"},
}

// legacyBasisKind recovers what a first-release line's base amount is, which that release
// wrote only into the English basis text ("EUR 18,750.00 net price", "800 quantity"): the base
// line's is its quantity, the discount's the gross price. A text it cannot read gives "", and
// the line keeps its English text (web/i18n.Basis).
func legacyBasisKind(kind, basis string) string {
	switch kind {
	case "base":
		return pricing.BasisQuantity
	case "discount":
		return pricing.BasisGrossPrice
	}
	for _, n := range legacyBasisNames {
		if strings.HasSuffix(basis, n.words) {
			return n.kind
		}
	}
	return ""
}

// legacyPolicyRefs reads the first release's policy columns: id "baseline" or
// "baseline+<scenario>", the baseline's version, and the policy's hash (of the baseline, or of
// both documents: sha256(baseline hash + "+" + scenario hash)). The scenario version is the
// one whose hash gives that; it is left 0 if none does (its document is gone).
func legacyPolicyRefs(id string, version int, hash string, versions []policyVersionRow) (baseline, scenario pricing.PolicyRef) {
	base, scen, overlaid := strings.Cut(id, "+")
	baseline = pricing.PolicyRef{ID: base, Version: version, Hash: hash}
	if !overlaid {
		return baseline, scenario
	}
	for _, v := range versions {
		if v.PolicyID == base && v.Version == version {
			baseline.Hash = v.Hash
		}
	}
	scenario = pricing.PolicyRef{ID: scen}
	for _, v := range versions {
		if v.PolicyID != scen {
			continue
		}
		sum := sha256.Sum256([]byte(baseline.Hash + "+" + v.Hash))
		if hex.EncodeToString(sum[:]) == hash {
			scenario.Version, scenario.Hash = v.Version, v.Hash
		}
	}
	return baseline, scenario
}

// legacyQuotaBalances is the quota balance a first-release quote saw, recovered from what it
// stored: the in-quota volume of a split (the balance was reached), zero for an out-of-quota
// line alone, the balance its quota.low flag states, and otherwise the quota's whole volume
// (no quota.low flag: at least a tenth was left, and the request fitted).
func legacyQuotaBalances(lines []legacyLine, flags []legacyFlag, uses []marketplace.QuotaUse) pricing.QuotaBalances {
	var bal pricing.QuotaBalances
	split := map[string]bool{}
	for _, l := range lines {
		if l.Quota != "in_quota" && l.Quota != "out_of_quota" {
			continue
		}
		if bal == nil {
			bal = pricing.QuotaBalances{}
		}
		switch l.Quota {
		case "in_quota":
			bal[l.MeasureID] = bal[l.MeasureID].Add(l.QuotaVolume)
		case "out_of_quota":
			split[l.MeasureID] = true
			if _, ok := bal[l.MeasureID]; !ok {
				bal[l.MeasureID] = decimal.Zero
			}
		}
	}
	for id := range bal {
		if split[id] {
			continue
		}
		if left, ok := quotaLowBalance(flags, id); ok {
			bal[id] = left
			continue
		}
		for _, u := range uses {
			if u.MeasureID == id && u.Limit.GreaterThan(bal[id]) {
				bal[id] = u.Limit
			}
		}
	}
	return bal
}

// quotaLowBalance reads the balance stated by a quota.low flag of measure id: "quota of ID:
// LEFT UNIT left of VOLUME (below 10%)".
func quotaLowBalance(flags []legacyFlag, id string) (decimal.Decimal, bool) {
	for _, f := range flags {
		if f.Code != "quota.low" || f.MeasureID != id {
			continue
		}
		rest, ok := strings.CutPrefix(f.Message, "quota of "+id+": ")
		if !ok {
			continue
		}
		left, _, _ := strings.Cut(rest, " ")
		if d, err := decimal.NewFromString(left); err == nil {
			return d, true
		}
	}
	return decimal.Decimal{}, false
}
