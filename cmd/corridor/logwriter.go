package main

import (
	"io"
	"sync"
)

// logWriter is the server's log destination: each line is handed to one goroutine that writes
// every line waiting in one write, instead of a write(2) per line under the handler's lock.
// With the access log on, that write was a tenth of the CPU of a cached search (the bench
// harness's profile). A line is written as soon as the goroutine runs — nothing waits for a
// timer — and in order; Close writes what is left. Lines are buffered up to maxPendingLog:
// past that (the destination is slower than the server), Write waits for the destination as
// a direct write would.
type logWriter struct {
	dst     io.Writer
	mu      sync.Mutex
	pending []byte        // lines not yet handed to the goroutine
	spare   []byte        // the buffer the goroutine writes from, reused
	wake    chan struct{} // capacity 1: lines are waiting
	closed  bool
	done    chan struct{} // closed when the goroutine has written everything and returned
	flushed *sync.Cond    // signalled after each write, for Write's backpressure
}

// maxPendingLog bounds the lines waiting to be written.
const maxPendingLog = 1 << 20

func newLogWriter(dst io.Writer) *logWriter {
	w := &logWriter{dst: dst, wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.flushed = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// Write queues p (one log record: slog's handlers write a record with one call).
func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	for len(w.pending) >= maxPendingLog && !w.closed {
		w.flushed.Wait()
	}
	if w.closed { // after Close: straight through
		w.mu.Unlock()
		return w.dst.Write(p)
	}
	w.pending = append(w.pending, p...)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // already woken
	}
	return len(p), nil
}

// run writes what is waiting, whenever something is.
func (w *logWriter) run() {
	defer close(w.done)
	for range w.wake {
		w.mu.Lock()
		w.pending, w.spare = w.spare[:0], w.pending
		closed := w.closed
		w.mu.Unlock()
		if len(w.spare) > 0 {
			w.dst.Write(w.spare) // a log that cannot be written has nowhere to report it
		}
		w.mu.Lock()
		w.flushed.Broadcast()
		w.mu.Unlock()
		if closed {
			return
		}
	}
}

// Close writes every queued line and stops the goroutine; later writes go straight through.
func (w *logWriter) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.flushed.Broadcast()
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.done
	return nil
}
