package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// Ready reports whether the store can serve: the database answers and every table of this
// version's schema exists (the migrations have been applied, by this process or another).
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	have, err := s.tableNames(ctx)
	if err != nil {
		return fmt.Errorf("database unreadable: %w", err)
	}
	exists := map[string]bool{}
	for _, t := range have {
		exists[t] = true
	}
	var missing []string
	for _, row := range schemaRows() {
		stmt := &gorm.Statement{DB: s.db}
		if err := stmt.Parse(row); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		if !exists[stmt.Schema.Table] {
			missing = append(missing, stmt.Schema.Table)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("schema not migrated: missing tables %s", strings.Join(missing, ", "))
	}
	return nil
}

// tableNames lists the tables of the database (PostgreSQL: of the current schema).
func (s *Store) tableNames(ctx context.Context) ([]string, error) {
	var tables []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if s.postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	err := s.gormDB(ctx).Raw(q).Scan(&tables).Error
	return tables, err
}
