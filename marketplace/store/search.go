package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"corridor/marketplace"
	"corridor/marketplace/search"
)

// sortColumns maps sort keys to the integer key column of the matching index.
var sortColumns = map[string]string{
	search.SortPrice: "price_micros", search.SortPerPFLOPHour: "ppf_micros",
	search.SortAvailableFrom: "from_day", search.SortGPUs: "gp_us",
}

var sqlOps = map[search.Op]string{
	search.OpEq: "=", search.OpNe: "<>", search.OpLt: "<", search.OpLe: "<=",
	search.OpGt: ">", search.OpGe: ">=", search.OpIn: "IN", search.OpNotIn: "NOT IN",
}

// SearchOfferKeys runs the reads of a search plan and returns their rows together: active
// offers only, every condition a bound parameter on an offers column, free text through the
// full-text index (search_index.go), asked once for all the reads. It reads only id, currency
// and the sort key, which the stream indexes cover (with the common filter columns), so most
// reads never touch the table.
func (s *Store) SearchOfferKeys(ctx context.Context, reads []search.Read) ([]search.Row, error) {
	var out []search.Row
	texts := map[string]textPlan{}
	for _, r := range reads {
		rows, err := s.searchRead(ctx, r, texts)
		if err != nil {
			return nil, translate("search offers", err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// searchRead runs one read; texts holds the full-text plans of the needles seen so far.
func (s *Store) searchRead(ctx context.Context, q search.Read, texts map[string]textPlan) ([]search.Row, error) {
	keyCol, ok := sortColumns[q.Key]
	if !ok {
		return nil, fmt.Errorf("store: search: unknown sort key %q", q.Key)
	}
	tx := s.gormDB(ctx).Table("offers").Where("status = ?", marketplace.OfferActive)
	var needles []string
	for _, c := range q.Clauses {
		if c.Op == search.OpContains {
			needles = append(needles, strings.ToLower(c.Values[0]))
			continue
		}
		var err error
		if tx, err = whereClause(tx, c); err != nil {
			return nil, err
		}
	}
	if q.Currencies != nil {
		if len(q.Currencies) == 0 {
			return nil, nil
		}
		tx = tx.Where("currency IN ?", q.Currencies)
	}
	if q.PriceBounds != nil {
		var parts []string
		var args []any
		for _, cur := range search.ListedCurrencies {
			bounds, ok := q.PriceBounds[cur]
			if !ok || (q.Currencies != nil && !contains(q.Currencies, cur)) {
				continue
			}
			conds := []string{"currency = ?"}
			args = append(args, cur)
			for _, b := range bounds {
				conds = append(conds, "price_micros "+sqlOps[b.Op]+" ?")
				args = append(args, b.Value)
			}
			parts = append(parts, "("+strings.Join(conds, " AND ")+")")
		}
		if len(parts) == 0 {
			return nil, nil
		}
		// One currency (a price-sorted stream): a plain AND, so the index on
		// (status, currency, price_micros) serves both the range and the order.
		tx = tx.Where(strings.Join(parts, " OR "), args...)
	}
	dir, cmp := "ASC", ">"
	if q.Desc {
		dir, cmp = "DESC", "<"
	}
	if a := q.After; a != nil {
		if a.ID == "" {
			tx = tx.Where(keyCol+" "+cmp+" ?", a.Key)
		} else {
			tx = tx.Where("("+keyCol+" "+cmp+" ? OR ("+keyCol+" = ? AND id > ?))", a.Key, a.Key, a.ID)
		}
	}
	if len(needles) > 0 {
		key := strings.Join(needles, "\x00")
		p, ok := texts[key]
		if !ok {
			var err error
			if p, err = s.probeText(ctx, needles); err != nil {
				return nil, err
			}
			texts[key] = p
		}
		if p.none {
			return nil, nil
		}
		tx = s.applyText(tx, p, needles)
	}
	// Three columns scanned by hand: no reflection over a row type per row.
	rows, err := tx.Select("offers.id, offers.currency, offers." + keyCol).Order("offers." + keyCol + " " + dir + ", offers.id ASC").Limit(q.Limit).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]search.Row, 0, min(q.Limit, 1024))
	for rows.Next() {
		var r search.Row
		if err := rows.Scan(&r.ID, &r.Currency, &r.Key); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OfferViews reads the offers with the given ids, keyed by id.
func (s *Store) OfferViews(ctx context.Context, ids []string) (map[string]marketplace.OfferView, error) {
	out := make(map[string]marketplace.OfferView, len(ids))
	for start := 0; start < len(ids); start += 500 { // bounded IN lists
		rows, err := s.offerRowsByID(ctx, ids[start:min(start+500, len(ids))])
		if err != nil {
			return nil, translate("read offers", err)
		}
		for _, r := range rows {
			v, err := r.view()
			if err != nil {
				return nil, translate("read offers", err)
			}
			out[v.ID] = v
		}
	}
	return out, nil
}

// whereClause adds one validated search clause as a parameterised condition.
func whereClause(tx *gorm.DB, c search.Clause) (*gorm.DB, error) {
	f, known := search.Lookup(c.Field)
	if !known || f.Column == "" {
		return nil, fmt.Errorf("store: search: no column for field %q", c.Field)
	}
	col := f.Column
	vals := make([]any, len(c.Values))
	for i := range c.Values {
		v, err := clauseValue(f.Type, c, i)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	op, ok := sqlOps[c.Op]
	if !ok {
		return nil, fmt.Errorf("store: search: unsupported operator %q", c.Op)
	}
	if c.Op.IsList() {
		return tx.Where(col+" "+op+" ?", vals), nil
	}
	return tx.Where(col+" "+op+" ?", vals[0]), nil
}

func clauseValue(typ string, c search.Clause, i int) (any, error) {
	switch typ {
	case search.TypeInt:
		return c.Int(i)
	case search.TypeDecimal:
		d, err := c.Decimal(i)
		if err != nil {
			return nil, err
		}
		return toMicros(d), nil
	case search.TypeDate:
		t, err := c.Date(i)
		if err != nil {
			return nil, err
		}
		return t.UTC().Truncate(24 * time.Hour).Unix(), nil
	case search.TypeBool:
		return c.Bool(i)
	}
	return c.Values[i], nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
