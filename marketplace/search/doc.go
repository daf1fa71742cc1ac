// Package search is the offer search language of GET /api/v1/offers?q=…&sort=…&cursor=….
//
// It has four parts, each in its own file:
//
//   - the field catalogue (catalogue.go): the single place a field is declared — its name,
//     type, unit, operators, documentation, the stored attribute it compares against and, for
//     fields of the accelerator model, how to read it from a model. Validation, the docs page,
//     the OpenAPI description of q, the planner and the store all read it;
//   - the parser (parse.go, query.go): Parse turns q into a Query, a flat list of AND-ed
//     clauses whose values are validated and normalised, with a canonical form;
//   - sort keys and cursors (sort.go, cursor.go): keyset pagination bound to the query;
//   - the planner (plan.go): NewPlan turns a Query into storage-neutral reads (Read) and
//     merges their rows into one page.
//
// Nothing here knows SQL or imports a database or HTTP package: a storage adapter maps a Read
// onto its tables, binding every value as a parameter. Problems are reported as *Error with one
// Problem per offending token; the marketplace turns them into its domain error.
package search
