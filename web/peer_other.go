//go:build !unix

package web

import "syscall"

// peerClosed cannot peek at a socket here: only the request budget bounds abandoned work.
func peerClosed(syscall.RawConn) bool { return false }

// canPeek reports whether peerClosed can tell a closed connection here.
const canPeek = false
