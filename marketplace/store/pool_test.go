package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestPoolDefaults: zero fields take the defaults, idle follows open, and set values stay.
func TestPoolDefaults(t *testing.T) {
	for _, c := range []struct {
		in       Pool
		postgres bool
		want     Pool
	}{
		{Pool{}, true, Pool{MaxOpen: 20, MaxIdle: 20, MaxLifetime: 30 * time.Minute, MaxIdleTime: 5 * time.Minute}},
		{Pool{}, false, Pool{MaxOpen: 8, MaxIdle: 8, MaxLifetime: 30 * time.Minute, MaxIdleTime: 5 * time.Minute}},
		{Pool{MaxOpen: 40}, true, Pool{MaxOpen: 40, MaxIdle: 40, MaxLifetime: 30 * time.Minute, MaxIdleTime: 5 * time.Minute}},
		// More idle than open cannot be kept: capped at open.
		{Pool{MaxOpen: 4, MaxIdle: 9, MaxLifetime: -1, MaxIdleTime: time.Minute}, true, Pool{MaxOpen: 4, MaxIdle: 4, MaxLifetime: -1, MaxIdleTime: time.Minute}},
	} {
		if got := PoolDefaults(c.in, c.postgres); got != c.want {
			t.Errorf("PoolDefaults(%+v, %v) = %+v, want %+v", c.in, c.postgres, got, c.want)
		}
	}
}

// TestPoolSettingsApplied opens a store with a pool of 6 connections of which 3 stay idle, and
// checks what database/sql does with them: 5 connections used at once and released leave 3
// idle (2 closed as surplus), and with the default (idle = open) all 5 stay. A lifetime of 1 ns
// closes a connection when it is next taken from the pool.
func TestPoolSettingsApplied(t *testing.T) {
	ctx := context.Background()
	dsn := TestDSN(t)
	hold := func(db *sql.DB, n int) {
		t.Helper()
		conns := make([]*sql.Conn, n)
		for i := range conns {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.PingContext(ctx); err != nil {
				t.Fatal(err)
			}
			conns[i] = c
		}
		for _, c := range conns {
			c.Close()
		}
	}

	st, err := OpenPool(ctx, dsn, Pool{MaxOpen: 6, MaxIdle: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := st.PoolSettings(); got.MaxOpen != 6 || got.MaxIdle != 3 {
		t.Fatalf("settings %+v", got)
	}
	db := st.Pool()
	if s := db.Stats(); s.MaxOpenConnections != 6 {
		t.Errorf("max open %d, want 6", s.MaxOpenConnections)
	}
	hold(db, 5)
	if s := db.Stats(); s.Idle != 3 || s.MaxIdleClosed < 2 {
		t.Errorf("after 5 connections released: %d idle, %d closed as surplus; want 3 and at least 2", s.Idle, s.MaxIdleClosed)
	}

	st2, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	db2 := st2.Pool()
	hold(db2, 5)
	if s := db2.Stats(); s.Idle != 5 || s.MaxIdleClosed != 0 {
		t.Errorf("default pool after 5 connections released: %d idle, %d closed; want 5 and 0", s.Idle, s.MaxIdleClosed)
	}

	st3, err := OpenPool(ctx, dsn, Pool{MaxLifetime: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st3.Close()
	db3 := st3.Pool()
	hold(db3, 1)
	hold(db3, 1)
	if s := db3.Stats(); s.MaxLifetimeClosed == 0 {
		t.Errorf("a 1 ns lifetime closed no connection: %+v", s)
	}
}
