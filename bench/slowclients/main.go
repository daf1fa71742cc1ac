// Command slowclients holds many slow HTTP clients open against a server, the way a slowloris
// attack does, to measure what they cost it (see README.md, "Load run"):
//
//	go run ./bench/slowclients -addr 127.0.0.1:8080 -n 500 -mode headers -for 30s
//
// In -mode headers each client sends a request line and then one more header line every
// -every, never finishing its headers; in -mode body each sends complete headers announcing
// a body of -length bytes and then one byte every -every. A client whose connection the server
// closes reconnects, so the attack keeps its size. Every 5 s it prints how many are connected
// and how many connections the server has closed so far.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address")
	n := flag.Int("n", 500, "number of clients")
	mode := flag.String("mode", "headers", "headers: never finish the headers; body: announce a large body and trickle it")
	path := flag.String("path", "/api/v1/quotes", "request path")
	length := flag.Int("length", 4194000, "announced Content-Length in -mode body")
	every := flag.Duration("every", 5*time.Second, "pause between the bytes each client trickles")
	dur := flag.Duration("for", 30*time.Second, "how long to hold the clients")
	from := flag.String("from", "", "local address to connect from, e.g. 127.0.0.2 (to tell the clients apart from other load on one machine)")
	flag.Parse()
	if *mode != "headers" && *mode != "body" {
		fmt.Fprintln(os.Stderr, "slowclients: -mode must be headers or body")
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	ctx, stop := context.WithTimeout(ctx, *dur)
	defer stop()

	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if *from != "" {
		ip := net.ParseIP(*from)
		if ip == nil {
			fmt.Fprintln(os.Stderr, "slowclients: -from must be an IP address")
			os.Exit(2)
		}
		dialer.LocalAddr = &net.TCPAddr{IP: ip}
	}
	var connected, closed, failed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < *n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c, err := dialer.DialContext(ctx, "tcp", *addr)
				if err != nil {
					failed.Add(1)
					sleep(ctx, time.Second)
					continue
				}
				connected.Add(1)
				hold(ctx, c, *mode, *path, *length, *every)
				connected.Add(-1)
				c.Close()
				if ctx.Err() == nil {
					closed.Add(1)
					sleep(ctx, time.Second) // then come back, as an attacker would
				}
			}
		}()
		time.Sleep(2 * time.Millisecond) // spread the connects a little
	}
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-t.C:
		}
		fmt.Printf("slowclients: %d connected, %d closed by the server, %d failed dials\n", connected.Load(), closed.Load(), failed.Load())
	}
	wg.Wait()
}

// hold writes the slow request on c until ctx ends or the server closes c.
func hold(ctx context.Context, c net.Conn, mode, path string, length int, every time.Duration) {
	head := "POST " + path + " HTTP/1.1\r\nHost: corridor\r\nContent-Type: application/json\r\n"
	if mode == "body" {
		head += fmt.Sprintf("Content-Length: %d\r\n\r\n", length)
	}
	if _, err := c.Write([]byte(head)); err != nil {
		return
	}
	closed := make(chan struct{})
	go func() { // notice the server answering or closing the connection
		defer close(closed)
		buf := make([]byte, 512)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-closed:
			return
		case <-time.After(every):
		}
		chunk := "{"
		if mode == "headers" {
			chunk = fmt.Sprintf("X-Slow-%d: x\r\n", i)
		}
		c.SetWriteDeadline(time.Now().Add(every))
		if _, err := c.Write([]byte(chunk)); err != nil {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
