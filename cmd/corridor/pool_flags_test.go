package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"corridor/marketplace/store"
)

// TestServePoolFlags checks the database pool settings of `corridor serve`: defaults, the
// environment, flags over the environment, 0 as "no limit" for durations, and bad values.
func TestServePoolFlags(t *testing.T) {
	parse := func(args []string, env map[string]string) (store.Pool, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		sf := registerServeFlags(fs, func(k string) string { return env[k] })
		if err := fs.Parse(args); err != nil {
			return store.Pool{}, err
		}
		return sf.pool()
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want store.Pool
	}{
		// Zero counts take store.PoolDefaults (20 or 8 by database, idle = open).
		{nil, nil, store.Pool{MaxLifetime: 30 * time.Minute, MaxIdleTime: 5 * time.Minute}},
		{nil, map[string]string{"CORRIDOR_DB_MAX_CONNS": "32", "CORRIDOR_DB_CONN_MAX_LIFETIME": "1h"},
			store.Pool{MaxOpen: 32, MaxLifetime: time.Hour, MaxIdleTime: 5 * time.Minute}},
		{[]string{"--db-max-conns", "16", "--db-max-idle-conns", "4", "--db-conn-max-idle-time", "0"}, map[string]string{"CORRIDOR_DB_MAX_CONNS": "32"},
			store.Pool{MaxOpen: 16, MaxIdle: 4, MaxLifetime: 30 * time.Minute, MaxIdleTime: -1}},
	} {
		got, err := parse(tc.args, tc.env)
		if err != nil || got != tc.want {
			t.Errorf("%v %v: %+v, %v; want %+v", tc.args, tc.env, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--db-max-conns", "4", "--db-max-idle-conns", "8"}, nil, "cannot exceed"},
		{nil, map[string]string{"CORRIDOR_DB_CONN_MAX_IDLE_TIME": "soon"}, "CORRIDOR_DB_CONN_MAX_IDLE_TIME must be a duration"},
		{[]string{"--db-conn-max-lifetime", "-1s"}, nil, "≥ 0"},
		{nil, map[string]string{"CORRIDOR_DB_MAX_IDLE_CONNS": "-2"}, "CORRIDOR_DB_MAX_IDLE_CONNS must be a whole number"},
	} {
		if _, err := parse(tc.args, tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: error %v, want %q", tc.args, tc.env, err, tc.want)
		}
	}
}

// TestRequestBudgetFlag: 10 s by default, from the environment or the flag, 0 for none.
func TestRequestBudgetFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want time.Duration
	}{
		{nil, nil, 10 * time.Second},
		{nil, map[string]string{"CORRIDOR_REQUEST_BUDGET": "3s"}, 3 * time.Second},
		{[]string{"--request-budget", "0"}, map[string]string{"CORRIDOR_REQUEST_BUDGET": "3s"}, -1},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		sf := registerServeFlags(fs, func(k string) string { return tc.env[k] })
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		o, err := sf.options()
		if err != nil || o.RequestBudget != tc.want {
			t.Errorf("%v %v: budget %s, %v; want %s", tc.args, tc.env, o.RequestBudget, err, tc.want)
		}
	}
}
