package store

import (
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
)

// Migration 6, tax truth: where a supplier is established, the tax terms an offer is posted
// on, the export class the policy's gates use, the wafer fab of an accelerator and the mark of
// a carried-forward FX rate.
//
//   - suppliers: establishments, vat_registrations and listings (JSON lists, "" for none): the
//     fixed establishments, VAT registrations and official listings a supplier declares;
//   - offers: tax_terms (default net_of_cn_tax, the market practice of foreign suppliers,
//     which every stored offer is taken to be posted on), and export_class recomputed with
//     tariff.ClassifyAccelerator (3a090b and unknown join 3a090a and none);
//   - accelerators: fab_country, fab_source, fab_as_of, fab_confidence, fab_note ("" until a
//     start fills them in from the catalogue: Service.Seed, Store.CompleteReference);
//   - fx_rates: carried_from, the day of the fixing a carried-forward rate repeats ("" for a
//     published rate; filled in by a start for the embedded carry-forward row).
func migrateTaxTruth(tx *gorm.DB, _ migrator) error {
	for _, add := range []struct {
		row    any
		fields []string
	}{
		{&supplierRow{}, []string{"Establishments", "VATRegistrations", "Listings"}},
		{&offerRow{}, []string{"TaxTerms"}},
		{&acceleratorRow{}, []string{"FabCountry", "FabSource", "FabAsOf", "FabConfidence", "FabNote"}},
		{&fxRateRow{}, []string{"CarriedFrom"}},
	} {
		for _, f := range add.fields {
			if tx.Migrator().HasColumn(add.row, f) {
				continue
			}
			if err := tx.Migrator().AddColumn(add.row, f); err != nil {
				return err
			}
		}
	}
	var accs []acceleratorRow
	if err := tx.Find(&accs).Error; err != nil {
		return err
	}
	for _, a := range accs {
		class := marketplace.ExportClass(a.domain())
		// Plain SQL: an offer's updated_at says when its supplier changed it, not this step.
		if err := tx.Exec("UPDATE offers SET export_class = ? WHERE accelerator = ? AND export_class <> ?", class, a.Model, class).Error; err != nil {
			return err
		}
	}
	return nil
}

// The row types of the first release's suppliers, accelerators, fx_rates and offers tables,
// frozen for migration 1: migrations 6 and 7 add their later columns (the first release's
// orders table, which only migration 7 changes, is legacyOrderRow beside it).

type legacyAcceleratorRow struct {
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
}

type legacyFXRateRow struct {
	ID       uint64          `gorm:"primaryKey"`
	Day      string          `gorm:"size:10;not null;uniqueIndex:fx_day_cur_src,priority:1"`
	Currency string          `gorm:"size:3;not null;uniqueIndex:fx_day_cur_src,priority:2"`
	Source   string          `gorm:"size:200;not null;uniqueIndex:fx_day_cur_src,priority:3"`
	PerEUR   decimal.Decimal `gorm:"type:text;not null"`
}

type legacySupplierRow struct {
	ID        string `gorm:"primaryKey;size:64"`
	Name      string `gorm:"not null"`
	Country   string `gorm:"size:2;not null"`
	Demo      bool   `gorm:"not null"`
	CreatedAt time.Time
}

func (legacyAcceleratorRow) TableName() string { return "accelerators" }
func (legacyFXRateRow) TableName() string      { return "fx_rates" }
func (legacySupplierRow) TableName() string    { return "suppliers" }

type legacyOfferRow struct {
	ID             string                `gorm:"primaryKey;size:64;index:offers_cur_price,priority:4;index:offers_cur_ppf,priority:4;index:offers_region_price,priority:5;index:offers_bloc_price,priority:5;index:offers_from,priority:3;index:offers_gpus,priority:3;index:offers_acc_price,priority:5;index:offers_acc_ppf,priority:5"`
	SupplierID     string                `gorm:"size:64;not null;index:offers_supplier,priority:1"`
	Supplier       *legacySupplierRow    `gorm:"foreignKey:SupplierID;references:ID"`
	Region         string                `gorm:"size:64;not null;index:offers_cur_price,priority:7;index:offers_cur_ppf,priority:7;index:offers_region_price,priority:1;index:offers_acc_price,priority:7;index:offers_acc_ppf,priority:7"`
	RegionRef      *regionRow            `gorm:"foreignKey:Region;references:Code"`
	Accelerator    string                `gorm:"size:64;not null;index:offers_cur_price,priority:5;index:offers_cur_ppf,priority:5;index:offers_bloc_price,priority:8;index:offers_acc_price,priority:1;index:offers_acc_ppf,priority:1"`
	AcceleratorRef *legacyAcceleratorRow `gorm:"foreignKey:Accelerator;references:Model"`
	Product        string                `gorm:"size:16;not null"`
	GPUs           int                   `gorm:"not null;index:offers_cur_price,priority:8;index:offers_cur_ppf,priority:8;index:offers_region_price,priority:6;index:offers_bloc_price,priority:6;index:offers_from,priority:4;index:offers_gpus,priority:2;index:offers_acc_price,priority:8;index:offers_acc_ppf,priority:8"`
	Price          decimal.Decimal       `gorm:"type:text;not null"`
	PriceMicros    int64                 `gorm:"not null;index:offers_cur_price,priority:3;index:offers_region_price,priority:4;index:offers_bloc_price,priority:4;index:offers_acc_price,priority:4"`
	Currency       string                `gorm:"size:3;not null;index:offers_cur_price,priority:2;index:offers_cur_ppf,priority:2;index:offers_region_price,priority:3;index:offers_bloc_price,priority:3;index:offers_acc_price,priority:3;index:offers_acc_ppf,priority:3"`
	Pricing        string                `gorm:"size:16;not null;index:offers_cur_price,priority:9;index:offers_cur_ppf,priority:9;index:offers_region_price,priority:7;index:offers_bloc_price,priority:7;index:offers_acc_price,priority:9;index:offers_acc_ppf,priority:9"`
	MinHours       int                   `gorm:"not null"`
	TermMonths     int                   `gorm:"not null"`
	Tiers          string                `gorm:"type:text;not null"`
	AvailableFrom  int64                 `gorm:"not null"`
	AvailableUntil int64                 `gorm:"not null"`
	HSCode         string                `gorm:"size:16"`
	Note           string                `gorm:"type:text"`
	Status         string                `gorm:"size:16;not null;index:offers_cur_price,priority:1;index:offers_cur_ppf,priority:1;index:offers_region_price,priority:2;index:offers_bloc_price,priority:2;index:offers_from,priority:1;index:offers_gpus,priority:1;index:offers_supplier,priority:2;index:offers_acc_price,priority:2;index:offers_acc_ppf,priority:2"`
	Version        int                   `gorm:"not null"`
	Demo           bool                  `gorm:"not null"`
	CreatedAt      time.Time
	UpdatedAt      time.Time

	SupplierName  string          `gorm:"not null;default:''"`
	RegionName    string          `gorm:"not null;default:''"`
	Bloc          string          `gorm:"size:8;not null;default:'';index:offers_cur_price,priority:6;index:offers_cur_ppf,priority:6;index:offers_bloc_price,priority:1;index:offers_acc_price,priority:6;index:offers_acc_ppf,priority:6"`
	Country       string          `gorm:"size:2;not null;default:''"`
	Vendor        string          `gorm:"size:64;not null;default:''"`
	VendorCountry string          `gorm:"size:2;not null;default:''"`
	MemoryMicros  int64           `gorm:"not null;default:0"`
	TFLOPSMicros  int64           `gorm:"not null;default:0"`
	TPPMicros     int64           `gorm:"not null;default:0;index:offers_cur_price,priority:10;index:offers_cur_ppf,priority:10"`
	BF16TFLOPS    decimal.Decimal `gorm:"type:text;not null;default:'0'"`
	TPP           decimal.Decimal `gorm:"type:text;not null;default:'0'"`
	ExportClass   string          `gorm:"size:16;not null;default:''"`
	PPFMicros     int64           `gorm:"not null;default:0;index:offers_cur_ppf,priority:3;index:offers_acc_ppf,priority:4"`
	FromDay       int64           `gorm:"not null;default:0;index:offers_from,priority:2"`
	UntilDay      int64           `gorm:"not null;default:0"`
	SearchText    string          `gorm:"type:text;not null;default:''"`
}

func (legacyOfferRow) TableName() string { return "offers" }
