package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this very binary as `corridor` (the way the container runs it):
// with CORRIDOR_TEST_RUN_MAIN=1 it is main, with the arguments it was given.
func TestMain(m *testing.M) {
	if os.Getenv("CORRIDOR_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverProcess is `corridor serve` running in a process of its own.
type serverProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr *syncBuffer
	exited chan error
}

// startProcess starts `corridor serve` on a fresh SQLite database with the reference data
// (no demo market) and waits for /healthz; env adds environment variables (KEY=VALUE).
func startProcess(t *testing.T, env ...string) *serverProcess {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	p := &serverProcess{addr: freeAddr(t), stderr: &syncBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(os.Args[0], "serve", "--addr", p.addr, "--db", filepath.Join(t.TempDir(), "corridor.db"), "--seed", "reference")
	p.cmd.Env = append(os.Environ(), append([]string{"CORRIDOR_TEST_RUN_MAIN=1", "CORRIDOR_ADMIN_TOKEN=process-test-admin-token"}, env...)...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not healthy after 60 s:\n%s", p.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rssMiB reads the process's resident set size.
func (p *serverProcess) rssMiB(t *testing.T) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// slowBodyClients is how many clients TestSlowClientsMemory holds open, and
// slowClientsRSSCeilingMiB the growth of the server's resident memory they may cause (the
// ceiling docs/operations.md promises: under 64 KiB per connection).
const (
	slowBodyClients          = 500
	slowClientsRSSCeilingMiB = 32
)

// TestSlowClientsMemory attaches 500 clients that each announce a body of 4,194,000 bytes to
// the largest endpoint and send one byte, and holds them open: the server's resident memory
// must stay within the documented ceiling (it grew by gigabytes when bodies were buffered by
// their declared length) and the server must keep answering others meanwhile.
func TestSlowClientsMemory(t *testing.T) {
	p := startProcess(t)
	time.Sleep(300 * time.Millisecond) // let start-up garbage settle
	before := p.rssMiB(t)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < slowBodyClients; i++ {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "POST /api/v1/offers/batch HTTP/1.1\r\nHost: corridor\r\nContent-Type: application/json\r\nContent-Length: 4194000\r\n\r\n{")
	}
	time.Sleep(2 * time.Second) // every connection has been read and is waiting for its body
	after := p.rssMiB(t)
	t.Logf("server RSS %.1f MiB before, %.1f MiB with %d slow clients attached (+%.1f MiB; ceiling +%d MiB)", before, after, slowBodyClients, after-before, slowClientsRSSCeilingMiB)
	if after-before > slowClientsRSSCeilingMiB {
		t.Errorf("resident memory grew by %.1f MiB with %d slow clients, above the ceiling of %d MiB", after-before, slowBodyClients, slowClientsRSSCeilingMiB)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	res, err := client.Get("http://" + p.addr + "/api/v1/regions")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("another client while the slow ones hang on: %v %v", res, err)
	}
	res.Body.Close()
	t.Logf("a regions request took %s meanwhile", time.Since(start))
}

// TestSIGTERMClosesStalledClients sends SIGTERM to a server that a stalled client (headers
// never finished) keeps busy: the process must stop within the grace period plus a little,
// exit 0 and say in its log what it did.
func TestSIGTERMClosesStalledClients(t *testing.T) {
	p := startProcess(t, "CORRIDOR_SHUTDOWN_GRACE=1s")
	stalled, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "GET /api/v1/regions HTTP/1.1\r\nHost: corridor\r\n") // no blank line: never finished
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, p.stderr.String())
		}
	case <-time.After(8 * time.Second):
		t.Fatalf("still running 8 s after SIGTERM:\n%s", p.stderr.String())
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("SIGTERM took %s with a 1 s grace period", took)
	}
	stalled.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := bufio.NewReader(stalled).ReadByte(); err == nil {
		t.Error("the stalled client got an answer instead of a closed connection")
	}
	for _, want := range []string{"shutting down", "closed connections still open after the grace period", "shut down cleanly"} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, p.stderr.String())
		}
	}
}
