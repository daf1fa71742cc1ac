package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/seed"
	"corridor/web"
)

func serveCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "corridor serve [--addr ADDR] [--db DSN] [--seed demo|reference|none] [--quote-retention DURATION|off] [limits, see below]", stdout)
	var cfg config
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "CORRIDOR_ADDR", ":8080"), "listen address (env CORRIDOR_ADDR)")
	db := dbFlag(fs, getenv)
	fs.StringVar(&cfg.seed, "seed", envOr(getenv, "CORRIDOR_SEED", "demo"), "seed on start: demo, reference or none (env CORRIDOR_SEED)")
	retention := fs.String("quote-retention", envOr(getenv, "CORRIDOR_QUOTE_RETENTION", marketplace.DefaultQuoteRetention.String()),
		`delete unaccepted quotes this long after they expire (e.g. 168h, 30m), or "off" to keep them (env CORRIDOR_QUOTE_RETENTION)`)
	sf := registerServeFlags(fs, getenv)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var err error
	if cfg.quoteRetention, err = parseRetention(*retention); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q (see --help)", fs.Arg(0))
	}
	cfg.db = *db
	if err := cfg.validate(); err != nil {
		return err
	}
	opts, err := sf.options()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var tlsConfig *tls.Config
	if sf.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(sf.tlsCert, sf.tlsKey)
		if err != nil {
			return fmt.Errorf("serve: load TLS certificate: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	logOut := newLogWriter(stderr) // closed last: it writes what the shutdown logged
	defer logOut.Close()
	var log *slog.Logger
	var requestLog web.RequestLog // nil: the access log through log
	if sf.logFormat == "text" {
		log = slog.New(slog.NewTextHandler(logOut, nil))
	} else {
		log = slog.New(slog.NewJSONHandler(logOut, nil))
		requestLog = web.JSONRequestLog(logOut) // the same lines, written faster
	}

	pool, err := sf.pool()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	st, err := store.OpenPool(ctx, cfg.db, pool)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetLogger(log)
	market := marketplace.NewService(st, time.Now)
	market.SetMaxActiveOffers(sf.maxActiveOffers)
	if cfg.quoteRetention >= 0 {
		stop := purgeQuotes(ctx, market, cfg.quoteRetention, log)
		defer stop()
	}

	if err := seedStore(ctx, market, cfg.seed, log); err != nil {
		return err
	}
	adminHash, err := ensureAdminToken(ctx, st, getenv, dataDir(cfg.db), stdout)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	metrics := web.NewMetrics(st.Pool())
	st.OnWALRestart(metrics.ObserveWALRestart)
	deps := web.Deps{Market: market, Log: log, AdminTokenHash: adminHash, Options: opts, Metrics: metrics,
		RateCounts: st, RequestLog: requestLog,
		Ready: func(rctx context.Context) error {
			if ctx.Err() != nil {
				return errors.New("shutting down")
			}
			return st.Ready(rctx)
		}}
	app := web.NewServer(deps)
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	log.Info("corridor listening", "url", scheme+"://"+displayAddr(ln.Addr()), "db", redactDSN(cfg.db), "seed", cfg.seed,
		"max_conns", opts.MaxConns, "max_conns_per_ip", opts.MaxConnsPerIP, "rate_limit_anonymous", opts.RateLimits.Anonymous,
		"rate_limit_supplier", opts.RateLimits.Supplier, "db_max_conns", st.PoolSettings().MaxOpen, "db_max_idle_conns", st.PoolSettings().MaxIdle)
	return web.Serve(ctx, app, ln, tlsConfig, deps)
}

// seedStore loads the embedded reference data (and the demo market in demo mode) and the
// policy library; it only inserts what is missing, so every start may call it.
func seedStore(ctx context.Context, market *marketplace.Service, mode string, log *slog.Logger) error {
	if mode == "none" {
		return nil
	}
	rep, err := seed.Into(ctx, market, mode == "demo")
	if err != nil {
		return err
	}
	log.Info("seeded", "regions", rep.Regions, "accelerators", rep.Accelerators, "fx_rates", rep.FXRates,
		"suppliers", rep.Suppliers, "offers", rep.Offers, "completed", rep.Completed, "policy_versions", rep.PolicyVersions,
		"demo_index_orders", rep.IndexEntries)
	return nil
}

// purgeInterval is how often a server deletes the quotes past their retention.
const purgeInterval = time.Hour

// purgeQuotes deletes the unaccepted quotes past their retention now and every
// purgeInterval, until the returned stop is called (it waits for a purge under way). Several
// processes sharing a database may all purge: deleting is idempotent.
func purgeQuotes(ctx context.Context, market *marketplace.Service, retention time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(purgeInterval)
		defer tick.Stop()
		for {
			n, err := market.PurgeQuotes(ctx, retention)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("purging expired quotes", "err", err)
			case n > 0:
				log.Info("purged expired quotes", "deleted", n, "retention", retention.String())
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

const adminTokenSetting = "admin_token_sha256"

// ensureAdminToken makes sure an admin token exists and returns its hash. CORRIDOR_ADMIN_TOKEN
// wins; otherwise the first start generates one, writes it to <data dir>/admin-token (mode
// 0600) and stores only its hash in the database. The token itself is printed only to a
// terminal: when stdout is anything else (a container's log, a pipe, a file) it gets the
// token file's path and the token's fingerprint (adminTokenNotice), so the full token never
// lands in a log. Without a terminal and without a writable token file the token could not be
// handed over at all, so start refuses rather than store a token nobody has.
func ensureAdminToken(ctx context.Context, st *store.Store, getenv func(string) string, dir string, stdout io.Writer) (string, error) {
	if tok := getenv("CORRIDOR_ADMIN_TOKEN"); tok != "" {
		if len(tok) < 16 {
			return "", errors.New("CORRIDOR_ADMIN_TOKEN must be at least 16 characters")
		}
		return hashToken(tok), nil
	}
	if h, ok, err := st.Setting(ctx, adminTokenSetting); err != nil || ok {
		return h, err
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := "cadm_" + hex.EncodeToString(b[:])
	// The file is written under a temporary name first and renamed only by the instance whose
	// token is stored: a second instance starting at the same moment leaves no file behind.
	path := filepath.Join(dir, "admin-token")
	tmp, fileErr := writeTokenFile(dir, tok)
	terminal := isTerminal(stdout)
	if fileErr != nil && !terminal {
		return "", fmt.Errorf("cannot write the new admin token to %s (%w) and standard output is not a terminal, so it cannot be shown either: "+
			"set CORRIDOR_ADMIN_TOKEN, or make %s writable", path, fileErr, dir)
	}
	stored, err := st.PutSettingOnce(ctx, adminTokenSetting, hashToken(tok))
	if err != nil || !stored { // a failure, or another instance won the race: use its token
		if tmp != "" {
			os.Remove(tmp)
		}
		if err != nil {
			return "", err
		}
		h, _, err := st.Setting(ctx, adminTokenSetting)
		return h, err
	}
	if fileErr == nil {
		if fileErr = os.Rename(tmp, path); fileErr != nil {
			os.Remove(tmp)
		}
	}
	where := path
	if fileErr != nil {
		where = "(not written: " + fileErr.Error() + ")"
	}
	if terminal {
		fmt.Fprintf(stdout, "Admin token (shown once, also in %s): %s\n", where, tok)
	} else {
		fmt.Fprintln(stdout, adminTokenNotice(tok, path))
	}
	return hashToken(tok), nil
}

// adminTokenNotice is what a first start prints about a generated admin token when its output
// is not a terminal: where the token is and its fingerprint ("sha256:" and the first 12 hex
// digits of the token's SHA-256, which is also the start of the hash the database keeps), so
// an operator can tell which token a server has without the log holding it.
func adminTokenNotice(tok, path string) string {
	return fmt.Sprintf("Admin token generated and written to %s (mode 0600); fingerprint %s. The token is not printed here: "+
		"read it from that file, or set CORRIDOR_ADMIN_TOKEN.", path, tokenFingerprint(tok))
}

// tokenFingerprint identifies a token without revealing it: "sha256:" and the first 12 hex
// digits of its SHA-256 (the file's content without its newline: tr -d '\n' < FILE | sha256sum).
func tokenFingerprint(tok string) string { return "sha256:" + hashToken(tok)[:12] }

// writeTokenFile writes tok to a new file of mode 0600 in dir (created if need be) and returns
// the file's name.
func writeTokenFile(dir, tok string) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".admin-token-*")
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// isTerminal reports whether w is a character device such as a terminal (not a pipe, a file or
// a container runtime's log stream).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func displayAddr(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

// redactDSN hides a PostgreSQL password before the DSN reaches a log.
func redactDSN(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn
	}
	return "postgres://…"
}
