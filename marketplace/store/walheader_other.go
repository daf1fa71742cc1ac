//go:build !unix

package store

// walHeader cannot map the WAL-index here; the watch asks SQLite (PRAGMA data_version).
func walHeader(string) ([]byte, func(), bool) { return nil, nil, false }
