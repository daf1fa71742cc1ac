package marketplace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// SecretSetting returns the 32-byte secret stored under the setting name, creating a random one
// on first use. Every Corridor process sharing the database reads the same secret, so a value
// one instance signs (a CSRF cookie, for example) verifies on any other; if two processes race
// to create it, the first write wins and both read it back.
func (s *Service) SecretSetting(ctx context.Context, name string) ([]byte, error) {
	key := "secret:" + name
	if v, ok, err := s.store.Setting(ctx, key); err != nil {
		return nil, err
	} else if ok {
		return decodeSecret(name, v)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("marketplace: generate secret %s: %w", name, err)
	}
	if _, err := s.store.PutSettingOnce(ctx, key, hex.EncodeToString(b[:])); err != nil {
		return nil, err
	}
	v, ok, err := s.store.Setting(ctx, key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("marketplace: secret %s was stored but cannot be read back", name)
	}
	return decodeSecret(name, v)
}

func decodeSecret(name, v string) ([]byte, error) {
	b, err := hex.DecodeString(v)
	if err != nil || len(b) < 32 {
		return nil, fmt.Errorf("marketplace: stored secret %s is not 32 hex-encoded bytes", name)
	}
	return b, nil
}
