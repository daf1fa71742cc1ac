//go:build unix

package web

import (
	"syscall"
)

// peerClosed reports whether the client closed (or reset) the connection: a non-blocking
// peek of one byte that finds end-of-file or an error other than "nothing to read yet".
// Nothing is consumed: a pipelined request stays for the server to read.
func peerClosed(raw syscall.RawConn) bool {
	closed := false
	var b [1]byte
	err := raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK || err == syscall.EINTR:
		case err != nil:
			closed = true
		case n == 0:
			closed = true
		}
		return true // done: never wait for the socket to become readable
	})
	return closed || err != nil
}

// canPeek reports whether peerClosed can tell a closed connection here.
const canPeek = true
