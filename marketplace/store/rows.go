package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// Row types are private to the adapter: the domain never sees GORM tags.

type regionRow struct {
	Code          string `gorm:"primaryKey;size:64"`
	Name          string `gorm:"not null"`
	NameZH        string
	Country       string `gorm:"size:2;not null;index"`
	Bloc          string `gorm:"size:8;not null;index"`
	Kind          string `gorm:"size:32;not null"`
	Province      string
	Class         string `gorm:"size:8"`
	System        string
	Parent        string              `gorm:"size:64"`
	Selected      string              `gorm:"size:16"`
	PUETarget     decimal.NullDecimal `gorm:"type:text"`
	GridKgPerKWh  decimal.NullDecimal `gorm:"type:text"`
	PowerPrice    decimal.NullDecimal `gorm:"type:text"`
	PowerCurrency string              `gorm:"size:3"`
	Lat           string
	Lon           string
	Source        string `gorm:"not null"`
	AsOf          string `gorm:"size:10;not null"`
	Confidence    string `gorm:"size:16;not null"`
	Note          string
}

func (regionRow) TableName() string { return "regions" }

type acceleratorRow struct {
	Model         string `gorm:"primaryKey;size:64"`
	Name          string `gorm:"not null"`
	NameZH        string
	Vendor        string          `gorm:"not null;index"`
	VendorCountry string          `gorm:"size:2;not null"`
	MemoryGB      decimal.Decimal `gorm:"type:text;not null"`
	BandwidthGBs  decimal.Decimal `gorm:"type:text;not null"`
	BF16TFLOPS    decimal.Decimal `gorm:"type:text;not null"`
	FP16TFLOPS    decimal.Decimal `gorm:"type:text;not null"`
	INT8TOPS      decimal.Decimal `gorm:"type:text;not null"`
	FP8TFLOPS     decimal.Decimal `gorm:"type:text;not null"`
	TDPW          decimal.Decimal `gorm:"type:text;not null"`
	DieAreaMM2    decimal.Decimal `gorm:"type:text;not null"`
	TPP           decimal.Decimal `gorm:"type:text;not null"`
	Density       decimal.Decimal `gorm:"type:text;not null"`
	Source        string          `gorm:"not null"`
	AsOf          string          `gorm:"size:10;not null"`
	Confidence    string          `gorm:"size:16;not null"`
	Note          string

	// The wafer fab and its provenance (migration 6); "" when not published.
	FabCountry    string `gorm:"size:2;not null;default:''"`
	FabSource     string `gorm:"not null;default:''"`
	FabAsOf       string `gorm:"size:10;not null;default:''"`
	FabConfidence string `gorm:"size:16;not null;default:''"`
	FabNote       string `gorm:"not null;default:''"`
}

func (acceleratorRow) TableName() string { return "accelerators" }

type fxRateRow struct {
	ID       uint64          `gorm:"primaryKey"`
	Day      string          `gorm:"size:10;not null;uniqueIndex:fx_day_cur_src,priority:1"`
	Currency string          `gorm:"size:3;not null;uniqueIndex:fx_day_cur_src,priority:2"`
	Source   string          `gorm:"size:200;not null;uniqueIndex:fx_day_cur_src,priority:3"`
	PerEUR   decimal.Decimal `gorm:"type:text;not null"`
	// CarriedFrom is the day of the fixing a carried-forward rate repeats (migration 6); ""
	// for a rate published on Day.
	CarriedFrom string `gorm:"size:10;not null;default:''"`
}

func (fxRateRow) TableName() string { return "fx_rates" }

type supplierRow struct {
	ID        string `gorm:"primaryKey;size:64"`
	Name      string `gorm:"not null"`
	Country   string `gorm:"size:2;not null"`
	Demo      bool   `gorm:"not null"`
	CreatedAt time.Time

	// What the supplier declares about its establishment (migration 6), as JSON lists; ""
	// for none.
	Establishments   string `gorm:"type:text;not null;default:''"`
	VATRegistrations string `gorm:"type:text;not null;default:''"`
	Listings         string `gorm:"type:text;not null;default:''"`

	// NameKey is marketplace.SupplierNameKey(Name), unique (migration 7): one name, one
	// supplier. Rows that shared a name before it keep their names, the later ones without a
	// key (NULL, which a unique index lets repeat).
	NameKey *string `gorm:"size:256;uniqueIndex:suppliers_name_key"`
}

func (supplierRow) TableName() string { return "suppliers" }

// vatRegistrationJSON is a VAT registration as the suppliers table keeps it.
type vatRegistrationJSON struct {
	Country string `json:"country"`
	VATID   string `json:"vat_id"`
}

func toSupplierRow(sp marketplace.Supplier) supplierRow {
	regs := make([]vatRegistrationJSON, len(sp.VATRegistrations))
	for i, r := range sp.VATRegistrations {
		regs[i] = vatRegistrationJSON(r)
	}
	return supplierRow{ID: sp.ID, Name: sp.Name, Country: sp.Country, Demo: sp.Demo, CreatedAt: sp.CreatedAt.UTC(),
		Establishments: jsonList(sp.Establishments), VATRegistrations: jsonList(regs), Listings: jsonList(sp.Listings)}
}

func (r supplierRow) domain() (marketplace.Supplier, error) {
	sp := marketplace.Supplier{ID: r.ID, Name: r.Name, Country: r.Country, Demo: r.Demo, CreatedAt: r.CreatedAt.UTC()}
	var regs []vatRegistrationJSON
	for _, l := range []struct {
		text string
		into any
	}{{r.Establishments, &sp.Establishments}, {r.VATRegistrations, &regs}, {r.Listings, &sp.Listings}} {
		if l.text == "" {
			continue
		}
		if err := json.Unmarshal([]byte(l.text), l.into); err != nil {
			return marketplace.Supplier{}, fmt.Errorf("supplier %s: %w", r.ID, err)
		}
	}
	for _, reg := range regs {
		sp.VATRegistrations = append(sp.VATRegistrations, marketplace.VATRegistration(reg))
	}
	return sp, nil
}

// jsonList encodes a list for a text column: "" when empty.
func jsonList[T any](list []T) string {
	if len(list) == 0 {
		return ""
	}
	b, _ := json.Marshal(list) // cannot fail: strings and string structs only
	return string(b)
}

type settingRow struct {
	Name  string `gorm:"primaryKey;size:64"`
	Value string `gorm:"not null"`
}

func (settingRow) TableName() string { return "settings" }

func provenance(source, asOf, confidence, note string) marketplace.Provenance {
	return marketplace.Provenance{Source: source, AsOf: asOf, Confidence: marketplace.Confidence(confidence), Note: note}
}

func toRegionRow(r marketplace.Region) regionRow {
	return regionRow{
		Code: r.Code, Name: r.Name, NameZH: r.NameZH, Country: r.Country, Bloc: string(r.Bloc), Kind: string(r.Kind),
		Province: r.Province, Class: r.Class, System: r.System, Parent: r.Parent, Selected: r.Selected,
		PUETarget: r.PUETarget, GridKgPerKWh: r.GridKgPerKWh, PowerPrice: r.PowerPrice, PowerCurrency: r.PowerCurrency,
		Lat: r.Lat, Lon: r.Lon, Source: r.Source, AsOf: r.AsOf, Confidence: string(r.Confidence), Note: r.Note,
	}
}

func (r regionRow) domain() marketplace.Region {
	return marketplace.Region{
		Code: r.Code, Name: r.Name, NameZH: r.NameZH, Country: r.Country, Bloc: marketplace.Bloc(r.Bloc), Kind: marketplace.RegionKind(r.Kind),
		Province: r.Province, Class: r.Class, System: r.System, Parent: r.Parent, Selected: r.Selected,
		PUETarget: r.PUETarget, GridKgPerKWh: r.GridKgPerKWh, PowerPrice: r.PowerPrice, PowerCurrency: r.PowerCurrency,
		Lat: r.Lat, Lon: r.Lon, Provenance: provenance(r.Source, r.AsOf, r.Confidence, r.Note),
	}
}

func toAcceleratorRow(a marketplace.Accelerator) acceleratorRow {
	return acceleratorRow{
		Model: a.Model, Name: a.Name, NameZH: a.NameZH, Vendor: a.Vendor, VendorCountry: a.VendorCountry,
		MemoryGB: a.MemoryGB, BandwidthGBs: a.BandwidthGBs, BF16TFLOPS: a.BF16TFLOPS, FP16TFLOPS: a.FP16TFLOPS,
		INT8TOPS: a.INT8TOPS, FP8TFLOPS: a.FP8TFLOPS, TDPW: a.TDPW, DieAreaMM2: a.DieAreaMM2, TPP: a.TPP, Density: a.Density,
		Source: a.Source, AsOf: a.AsOf, Confidence: string(a.Confidence), Note: a.Note,
		FabCountry: a.FabCountry, FabSource: a.Fab.Source, FabAsOf: a.Fab.AsOf, FabConfidence: string(a.Fab.Confidence), FabNote: a.Fab.Note,
	}
}

func (a acceleratorRow) domain() marketplace.Accelerator {
	return marketplace.Accelerator{
		Model: a.Model, Name: a.Name, NameZH: a.NameZH, Vendor: a.Vendor, VendorCountry: a.VendorCountry,
		MemoryGB: a.MemoryGB, BandwidthGBs: a.BandwidthGBs, BF16TFLOPS: a.BF16TFLOPS, FP16TFLOPS: a.FP16TFLOPS,
		INT8TOPS: a.INT8TOPS, FP8TFLOPS: a.FP8TFLOPS, TDPW: a.TDPW, DieAreaMM2: a.DieAreaMM2, TPP: a.TPP, Density: a.Density,
		Provenance: provenance(a.Source, a.AsOf, a.Confidence, a.Note),
		FabCountry: a.FabCountry, Fab: provenance(a.FabSource, a.FabAsOf, a.FabConfidence, a.FabNote),
	}
}
