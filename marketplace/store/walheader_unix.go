//go:build unix

package store

import (
	"os"
	"syscall"
)

// walHeader maps the start of the SQLite file's WAL-index (its -shm file), read-only and
// shared, so that the WAL-index header every commit rewrites can be read without a system
// call (dataWatch). ok is false when it cannot be mapped; the watch then asks SQLite.
func walHeader(path string) (header []byte, unmap func(), ok bool) {
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil, nil, false
	}
	defer f.Close() // the mapping outlives the descriptor
	if fi, err := f.Stat(); err != nil || fi.Size() < walIndexHeaderSize {
		return nil, nil, false
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, walIndexHeaderSize, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	return m, func() { syscall.Munmap(m) }, true
}
