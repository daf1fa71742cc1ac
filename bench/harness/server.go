package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
)

// process is a server running as a subprocess.
type process struct {
	cmd     *exec.Cmd
	exited  chan error // receives cmd.Wait's result once
	addr    string
	started time.Duration // from exec to the first healthy answer
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs name with args (its output going to logPath) and waits until GET probe on addr
// answers 200.
func start(ctx context.Context, name string, args, env []string, addr, probe, logPath string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", filepath.Base(name), err)
	}
	p := &process{cmd: cmd, exited: make(chan error, 1), addr: addr}
	go func() { p.exited <- cmd.Wait() }()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case err := <-p.exited:
			out, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("%s exited before answering (%v):\n%s", filepath.Base(name), err, tail(string(out), 2000))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := client.Get("http://" + addr + probe); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.started = time.Since(t0)
				return p, nil
			}
		}
	}
}

// stop asks the process to shut down (SIGTERM) and kills it when it has not exited 15 s later.
func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// serverEnv is this process's environment without Corridor's own variables, plus an admin
// token so that the server does not generate and print one, and the per-address rate limit
// off: every load connection comes from this one address, and 600 requests a minute would
// make the measurement one of 429 answers.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CORRIDOR_") {
			env = append(env, kv)
		}
	}
	var b [16]byte
	rand.Read(b[:])
	return append(env, "CORRIDOR_ADMIN_TOKEN=bench-"+hex.EncodeToString(b[:]), "CORRIDOR_RATE_LIMIT_ANONYMOUS=0")
}

// startCorridor runs `corridor serve` on the database dsn, seeding only what is missing of the
// reference data (the harness has loaded it already). The anonymous rate limit is off: every
// request of the load generator comes from one address, which the default limit (600 a
// minute) would refuse within the warm-up; the concurrency budgets of the expensive
// endpoints keep their defaults, as users get them.
func startCorridor(ctx context.Context, bin, dsn, logPath string) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return start(ctx, bin, []string{"serve", "--addr", addr, "--db", dsn, "--seed", "reference", "--rate-limit-anonymous", "0"},
		serverEnv(), addr, "/healthz", logPath)
}

// startHello runs this program as the Fiber hello-world.
func startHello(ctx context.Context, logPath string) (*process, error) {
	return startSelf(ctx, logPath, func(addr string) []string { return []string{"-hello", addr} })
}

// startSelf runs this program on a free address with the arguments args gives for it, and
// waits until GET / answers.
func startSelf(ctx context.Context, logPath string, args func(addr string) []string) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return start(ctx, self, args(addr), os.Environ(), addr, "/", logPath)
}

// serveHello is the baseline: Fiber v2 with its default configuration answering "Hello,
// World!" — the smallest useful thing the framework Corridor uses can do.
func serveHello(ctx context.Context, addr string) error {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	return listen(ctx, app, addr)
}

// listen serves app on addr until ctx ends.
func listen(ctx context.Context, app *fiber.App, addr string) error {
	go func() {
		<-ctx.Done()
		app.ShutdownWithTimeout(5 * time.Second)
	}()
	if err := app.Listen(addr); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// buildCorridor builds ./cmd/corridor of the module the harness runs in into dir.
func buildCorridor(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		return "", fmt.Errorf("cannot find the module to build corridor from (run the harness from the repository, or pass -corridor): %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(dir, "corridor")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/corridor")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/corridor: %v\n%s", err, msg)
	}
	return bin, nil
}
