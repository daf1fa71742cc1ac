package marketplace

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// IdempotencyStaleAfter is how long a claimed Idempotency-Key may stay without a response
// before another request may take it over (the process that claimed it has died).
const IdempotencyStaleAfter = 2 * time.Minute

// Idempotency is one use of an Idempotency-Key: the key as the client sent it and the scope it
// is valid in — who is calling (an API key's supplier, the admin, or an anonymous caller's
// address) and the exact request target (method, path and query). The same key in another
// scope is another key, so one caller can neither replay nor block another's request.
//
// Nothing readable is stored: records are found by LookupKey, a hash of scope and key, and
// responses (which may carry a new API key) are sealed with AES-256-GCM under a key derived
// from the Idempotency-Key itself, which the server never stores. Whoever reads the database
// can decrypt a response only by guessing its Idempotency-Key, which is why endpoints whose
// responses hold secrets require long keys (MinSecretIdempotencyKey).
type Idempotency struct {
	key, scope string
}

// MinSecretIdempotencyKey is the shortest Idempotency-Key accepted on endpoints whose response
// holds a secret (a new API key): 22 characters is 128 bits as a random base64 string, and a
// UUID has 36.
const MinSecretIdempotencyKey = 22

// NewIdempotency returns the use of key in scope (caller and request target, e.g.
// "anon:203.0.113.7 POST /api/v1/quotes/q_1/accept").
func NewIdempotency(key, scope string) Idempotency { return Idempotency{key: key, scope: scope} }

// LookupKey is what the record is stored under: hex SHA-256 of the scope and the key.
func (i Idempotency) LookupKey() string {
	sum := sha256.Sum256([]byte("corridor idempotency lookup v1\x00" + i.scope + "\x00" + i.key))
	return hex.EncodeToString(sum[:])
}

func (i Idempotency) aead() (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, []byte(i.key), nil, "corridor idempotency response v1\x00"+i.scope, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts a response for storage: a random nonce followed by the AES-GCM ciphertext.
func (i Idempotency) Seal(response []byte) ([]byte, error) {
	a, err := i.aead()
	if err != nil {
		return nil, fmt.Errorf("marketplace: seal idempotent response: %w", err)
	}
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(response)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("marketplace: seal idempotent response: %w", err)
	}
	return a.Seal(nonce, nonce, response, []byte(i.scope)), nil
}

// Open decrypts a response sealed by Seal with the same key and scope.
func (i Idempotency) Open(sealed []byte) ([]byte, error) {
	a, err := i.aead()
	if err != nil {
		return nil, fmt.Errorf("marketplace: open idempotent response: %w", err)
	}
	if len(sealed) < a.NonceSize() {
		return nil, errors.New("marketplace: open idempotent response: too short")
	}
	out, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], []byte(i.scope))
	if err != nil {
		return nil, fmt.Errorf("marketplace: open idempotent response: %w", err)
	}
	return out, nil
}

// ClaimIdempotencyKey claims r.Key for r.Caller; see IdempotencyStore.ClaimIdempotencyKey.
func (s *Service) ClaimIdempotencyKey(ctx context.Context, r IdempotencyRecord) (IdempotencyRecord, bool, error) {
	r.CreatedAt = s.now()
	return s.store.ClaimIdempotencyKey(ctx, r, IdempotencyStaleAfter)
}

// CompleteIdempotencyKey stores the response of a claimed key for replay.
func (s *Service) CompleteIdempotencyKey(ctx context.Context, r IdempotencyRecord) error {
	return s.store.CompleteIdempotencyKey(ctx, r)
}

// ReleaseIdempotencyKey forgets a claimed key so that a retry runs again.
func (s *Service) ReleaseIdempotencyKey(ctx context.Context, key, caller string) error {
	return s.store.ReleaseIdempotencyKey(ctx, key, caller)
}
