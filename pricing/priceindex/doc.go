// Package priceindex is the arithmetic of Corridor's landed compute price index: which
// accelerator class a catalogue model belongs to, the ISO week (Monday, UTC) an instant falls
// in, the sums a weekly cell keeps so that an order updates it incrementally, the outlier
// screen an order passes before it counts, the volume-weighted means of a cell and the
// chain-linked index (base 100 at the first week with data) with gaps shown as gaps.
//
// The package is pure: it imports pricing and shopspring/decimal only, does no I/O and uses no
// floating point. Money amounts are EUR decimals; unit prices are rounded once, by
// pricing.UnitPrice (EUR to four decimals), and index numbers to IndexPlaces decimals. The
// methodology is published in docs/price-index.md.
package priceindex
