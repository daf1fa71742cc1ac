package tariff

import (
	"sync"
	"sync/atomic"
)

// TrailMemo keeps a value derived from a shared trail (Assessment.Trail without TrailNoted) —
// its stored form, its JSON — so that the quotes explained alike derive it once. The engine
// memoises a match's trail and hands every assessment of that match the same array, which no
// one changes once its assessment has returned; so a trail is known by the address of its
// first entry and its length. The key holds the array, so no other trail can take that
// address while the entry lives. A trail copied for one assessment (TrailNoted) would take an
// entry that is never used again: callers pass only shared trails. The memo is emptied when
// it holds its maximum.
type TrailMemo[V any] struct {
	max   int
	m     sync.Map // trailIdentity → V
	count atomic.Int64
}

type trailIdentity struct {
	first *Consideration
	n     int
}

// NewTrailMemo returns a memo of at most max entries.
func NewTrailMemo[V any](max int) *TrailMemo[V] { return &TrailMemo[V]{max: max} }

// Get returns derive(trail), derived once per shared trail. An empty trail has no identity:
// derive runs every time.
func (m *TrailMemo[V]) Get(trail []Consideration, derive func([]Consideration) V) V {
	if len(trail) == 0 {
		return derive(trail)
	}
	k := trailIdentity{&trail[0], len(trail)}
	if v, ok := m.m.Load(k); ok {
		return v.(V)
	}
	v := derive(trail)
	if m.count.Add(1) > int64(m.max) {
		m.m.Clear()
		m.count.Store(1)
	}
	m.m.Store(k, v)
	return v
}

// Len is how many trails the memo holds now.
func (m *TrailMemo[V]) Len() int { return int(m.count.Load()) }
