// Package effects is the single-market partial-equilibrium trade-effects model of the World
// Bank's WITS-SMART (Laird & Yeats 1986; Jammes & Olarreaga 2005), applied to compute
// procurement: one importing market buys from several sources that are imperfect substitutes
// (Armington), and a policy changes the wedge between each source's supplier price and the
// buyer's landed cost (duties, levies, non-recoverable taxes, subsidies, FX shocks). For each
// source the model gives trade creation, trade diversion, the price effect (finite
// export-supply elasticity) and the total trade effect; in total the revenue change of each
// collecting jurisdiction, the consumer-surplus change and the welfare change.
//
// The package is pure: it imports shopspring/decimal and the standard library only, does no
// I/O and uses no floating point. Values, prices, wedges and elasticities are exact decimals;
// the model needs no power or root, only the four operations, and every quotient is carried to
// [QuotientPlaces] decimal places (see docs/effects.md for the error bound). Rounding for
// display is the caller's: [Result.Rounded] takes the caller's rounding functions and keeps
// the identities of the model exact on the rounded figures.
//
// Entry points: [Request.Input] parses and validates the text form (the body of
// POST /api/v1/effects and the file of `corridor effects`), [Compute] runs the model,
// [Result.Rounded] prepares it for display.
package effects
