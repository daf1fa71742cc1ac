package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// Ready reports whether the store can serve: the database answers, the latest migration this
// build knows has been applied (by this process or another sharing the database), and every
// table of that schema exists. A database at a later version than this build knows (a newer
// process migrated it during a rolling deployment) is ready: steps only add to the schema
// that the processes still running rely on, or drop what they no longer use.
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
	if !exists[schemaMigrationRow{}.TableName()] {
		return fmt.Errorf("schema not migrated: no %s table", schemaMigrationRow{}.TableName())
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("database unreadable: %w", err)
	}
	if want := LatestSchemaVersion(); v < want {
		return fmt.Errorf("schema not migrated: at version %d, this build needs %d", v, want)
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
