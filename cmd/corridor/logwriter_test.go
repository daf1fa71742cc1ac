package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowBuffer is a syncBuffer that takes a while for each write, and counts them.
type slowBuffer struct {
	syncBuffer
	writes int
}

func (s *slowBuffer) Write(p []byte) (int, error) {
	time.Sleep(50 * time.Microsecond)
	s.mu.Lock()
	s.writes++
	s.mu.Unlock()
	return s.syncBuffer.Write(p)
}

// TestLogWriterKeepsEveryLineInOrder: lines from many goroutines all arrive, each whole and
// each goroutine's in its order, in fewer writes than lines when they come faster than the
// destination takes them; a line is written without waiting for Close; lines after Close go
// straight through.
func TestLogWriterKeepsEveryLineInOrder(t *testing.T) {
	dst := &slowBuffer{}
	w := newLogWriter(dst)
	w.Write([]byte("first\n"))
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(dst.String(), "first\n"); {
		if time.Now().After(deadline) {
			t.Fatal("a line was not written until Close")
		}
		time.Sleep(time.Millisecond)
	}
	const goroutines, lines = 8, 2000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "g%d line %d\n", g, i)
			}
		})
	}
	wg.Wait()
	w.Close()
	w.Write([]byte("after close\n"))
	got := strings.Split(strings.TrimSuffix(dst.String(), "\n"), "\n")
	if len(got) != 1+goroutines*lines+1 || got[0] != "first" || got[len(got)-1] != "after close" {
		t.Fatalf("%d lines, first %q, last %q", len(got), got[0], got[len(got)-1])
	}
	next := make([]int, goroutines)
	for _, l := range got[1 : len(got)-1] {
		var g, i int
		if _, err := fmt.Sscanf(l, "g%d line %d", &g, &i); err != nil || i != next[g] {
			t.Fatalf("line %q out of order or torn (want line %d of g%d)", l, next[g], g)
		}
		next[g]++
	}
	if dst.writes >= goroutines*lines {
		t.Errorf("%d writes for %d lines: lines waiting are not written together", dst.writes, goroutines*lines)
	}
}
