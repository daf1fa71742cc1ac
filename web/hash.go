package web

import (
	"crypto/sha256"
	"encoding/hex"
)

// sha256Hex is how tokens are stored and compared: never the token itself.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
