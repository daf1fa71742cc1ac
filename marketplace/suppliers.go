package marketplace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"corridor/tariff"
)

// NewID returns a random identifier with a type prefix, e.g. "off_3f9a…": 128 random bits, so
// ids double as capabilities where the contract says "anyone with the id" (orders).
func NewID(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("marketplace: crypto/rand failed: " + err.Error())
	}
	return prefix + "_" + hex.EncodeToString(b[:])
}

// NewTimeOrderedID is NewID led by t's Unix milliseconds in 12 hex digits, e.g.
// "q_019ad8e3c2a1" followed by 128 random bits: ids made later sort later. Quotes are keyed by
// it: a new quote's primary-key entry then goes to the end of the index, not to a random leaf,
// which cuts the pages each quote insert writes (a fifth to a third of a quote's insert in
// the store's BenchmarkQuoteInsert). The random part keeps the id a capability, as NewID's.
func NewTimeOrderedID(prefix string, t time.Time) string {
	var b [22]byte // 6 bytes of milliseconds, 16 random
	ms := uint64(max(t.UnixMilli(), 0))
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	if _, err := rand.Read(b[6:]); err != nil {
		panic("marketplace: crypto/rand failed: " + err.Error())
	}
	return prefix + "_" + hex.EncodeToString(b[:])
}

// APIKey is a supplier's credential as stored: the key id and the SHA-256 of the secret. The
// secret itself exists only in the response that created it.
type APIKey struct {
	ID         string
	SupplierID string
	Hash       string // hex SHA-256 of the secret
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while the key is valid
}

// APIKeyPrefix starts every supplier API key: csk_<key id>_<secret>.
const APIKeyPrefix = "csk_"

// newAPIKey returns a fresh key for supplierID and its one-time plain text.
func newAPIKey(supplierID string, now time.Time) (APIKey, string) {
	id, hash, plain := newSecretKey(APIKeyPrefix)
	return APIKey{ID: id, SupplierID: supplierID, Hash: hash, CreatedAt: now}, plain
}

// newSecretKey returns a fresh key <prefix><16 hex key id>_<64 hex secret> from crypto/rand:
// its id, the hex SHA-256 of its secret (what is stored) and its plain text (shown once).
func newSecretKey(prefix string) (id, hash, plain string) {
	var idb [8]byte
	var secret [32]byte
	if _, err := rand.Read(idb[:]); err != nil {
		panic("marketplace: crypto/rand failed: " + err.Error())
	}
	if _, err := rand.Read(secret[:]); err != nil {
		panic("marketplace: crypto/rand failed: " + err.Error())
	}
	id, sec := hex.EncodeToString(idb[:]), hex.EncodeToString(secret[:])
	return id, hashSecret(sec), prefix + id + "_" + sec
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// parseAPIKey splits csk_<id>_<secret>; ok is false for anything else.
func parseAPIKey(token string) (id, secret string, ok bool) {
	return parseSecretKey(APIKeyPrefix, token)
}

// parseSecretKey splits <prefix><id>_<secret> (newSecretKey's shape); ok is false for anything
// else.
func parseSecretKey(prefix, token string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, "_")
	if !ok || len(id) != 16 || len(secret) != 64 || !isHex(id) || !isHex(secret) {
		return "", "", false
	}
	return id, secret, true
}

// secretMatches compares a presented secret with a stored hash in constant time.
func secretMatches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(hash)) == 1
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// IsAPIKey reports whether token has the shape of a supplier API key (not whether it is valid).
func IsAPIKey(token string) bool {
	_, _, ok := parseAPIKey(token)
	return ok
}

// NewSupplier is what an administrator supplies to register a supplier: its name, its seat
// and, optionally, what it declares about its establishment (see Supplier).
type NewSupplier struct {
	Name             string
	Country          string
	Establishments   []string
	VATRegistrations []VATRegistration
	Listings         []string
}

// CreateSupplier registers a supplier with a first API key and returns both; the key's plain
// text is returned here and never again.
func (s *Service) CreateSupplier(ctx context.Context, in NewSupplier) (Supplier, string, error) {
	var errs []FieldError
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		errs = append(errs, FieldError{Field: "name", Message: "is required"})
	case TextProblem(name, false) != "":
		errs = append(errs, FieldError{Field: "name", Message: TextProblem(name, false)})
	case utf8.RuneCountInString(name) > 200:
		errs = append(errs, FieldError{Field: "name", Message: "must be at most 200 characters"})
	}
	sp := Supplier{Name: name}
	errs = append(errs, SupplierUpdate{Country: &in.Country, Establishments: &in.Establishments,
		VATRegistrations: &in.VATRegistrations, Listings: &in.Listings}.apply(&sp)...)
	if len(errs) > 0 {
		return Supplier{}, "", Invalid("invalid supplier", errs...)
	}
	now := s.now().Truncate(time.Second)
	sp.ID, sp.CreatedAt = NewID("sup"), now
	key, plain := newAPIKey(sp.ID, now)
	if err := s.store.CreateSupplier(ctx, sp, key); err != nil {
		return Supplier{}, "", err
	}
	return sp, plain, nil
}

// SupplierUpdate is a change a supplier (or the admin) makes to where the supplier is
// established: nil leaves a field as it is; an empty list clears one.
type SupplierUpdate struct {
	Country          *string
	Establishments   *[]string
	VATRegistrations *[]VATRegistration
	Listings         *[]string
}

// UpdateSupplier changes the establishment a supplier declares and returns the record; quotes
// priced from then on follow it (stored quotes keep what they were priced with).
func (s *Service) UpdateSupplier(ctx context.Context, id string, in SupplierUpdate) (Supplier, error) {
	sp, err := s.Supplier(ctx, id)
	if err != nil {
		return Supplier{}, err
	}
	if errs := in.apply(&sp); len(errs) > 0 {
		return Supplier{}, Invalid("invalid supplier", errs...)
	}
	if err := s.store.UpdateSupplier(ctx, sp); err != nil {
		return Supplier{}, err
	}
	return sp, nil
}

// apply checks the fields of u that are set and writes them onto sp: an ISO seat; fixed
// establishments in other countries, each once; VAT registrations, each country once, an EU
// member state's number valid in format for it (stored normalised); list codes in lower case.
func (u SupplierUpdate) apply(sp *Supplier) []FieldError {
	var errs []FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if u.Country != nil {
		c := strings.ToUpper(strings.TrimSpace(*u.Country))
		if !tariff.IsCountry(c) {
			bad("country", "must be an ISO 3166-1 alpha-2 code like CN or FI")
		} else {
			sp.Country = c
		}
	}
	if u.Establishments != nil {
		sp.Establishments = codeList("establishments", *u.Establishments, strings.ToUpper, func(c string) bool { return tariff.IsCountry(c) },
			"must be an ISO 3166-1 alpha-2 code like NL", bad)
	}
	if u.VATRegistrations != nil {
		if len(*u.VATRegistrations) > MaxSupplierPlaces {
			bad("vat_registrations", "at most %d", MaxSupplierPlaces)
		}
		out, seen := []VATRegistration{}, map[string]bool{}
		for i, r := range *u.VATRegistrations {
			f := fmt.Sprintf("vat_registrations[%d].", i)
			c, id := strings.ToUpper(strings.TrimSpace(r.Country)), strings.TrimSpace(r.VATID)
			switch {
			case !tariff.IsCountry(c):
				bad(f+"country", "must be an ISO 3166-1 alpha-2 code like NL, not %s", quoteField(r.Country))
				continue
			case seen[c]:
				bad(f+"country", "%s is listed twice", c)
				continue
			}
			seen[c] = true
			switch {
			case id == "":
				bad(f+"vat_id", "is required")
				continue
			case len(id) > MaxVATIDLen:
				bad(f+"vat_id", "is longer than %d characters", MaxVATIDLen)
				continue
			case tariff.VATPrefix(c) != "":
				n, err := tariff.CheckVATID(c, id)
				if err != nil {
					bad(f+"vat_id", "%s", strings.TrimPrefix(err.Error(), "tariff: "))
					continue
				}
				id = n
			case TextProblem(id, false) != "":
				bad(f+"vat_id", "%s", TextProblem(id, false))
				continue
			}
			out = append(out, VATRegistration{Country: c, VATID: id})
		}
		sp.VATRegistrations = out
	}
	if u.Listings != nil {
		sp.Listings = codeList("listings", *u.Listings, func(c string) string { return c }, IsSlug,
			"must be a list code of lowercase letters, digits and dashes such as cn-beijing-ai-compute-partner", bad)
	}
	if len(errs) == 0 {
		// The seat is an establishment already: listing it again changes nothing.
		sp.Establishments = slices.DeleteFunc(sp.Establishments, func(c string) bool { return c == sp.Country })
	}
	return errs
}

// codeList checks a declared list of codes: at most MaxSupplierPlaces, each normalised by norm
// (after trimming) valid and listed once; it returns the valid ones and reports the others
// through bad, named field[i].
func codeList(field string, in []string, norm func(string) string, valid func(string) bool, invalid string, bad func(field, format string, args ...any)) []string {
	if len(in) > MaxSupplierPlaces {
		bad(field, "at most %d", MaxSupplierPlaces)
	}
	out, seen := []string{}, map[string]bool{}
	for i, raw := range in {
		c := norm(strings.TrimSpace(raw))
		switch {
		case !valid(c):
			bad(fmt.Sprintf("%s[%d]", field, i), "%s, not %s", invalid, quoteField(raw))
		case seen[c]:
			bad(fmt.Sprintf("%s[%d]", field, i), "%s is listed twice", c)
		default:
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// SupplierNameKey is what two supplier names are compared by: lower case, with runs of spaces
// made one and the ends trimmed, so "Kajaani Compute Oy" and "kajaani  compute OY" are one name.
// Registering a supplier under a name another registered supplier has is refused
// (CodeConflict, reason duplicate_name): buyers tell suppliers apart by name.
func SupplierNameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// DuplicateSupplierName is the error for a name another supplier (existing) registered first.
func DuplicateSupplierName(name, existing string) *Error {
	return &Error{Code: CodeConflict, Reason: "duplicate_name",
		Message: fmt.Sprintf("a supplier named %s is registered already (%s); names are compared ignoring case and spacing", quoteField(name), existing),
		Fields:  []FieldError{{Field: "name", Message: "is taken by supplier " + existing}}}
}

// Suppliers lists every supplier by name (demo suppliers too), for the administrator.
func (s *Service) Suppliers(ctx context.Context) ([]Supplier, error) {
	return s.store.Suppliers(ctx)
}

// Supplier reads one supplier.
func (s *Service) Supplier(ctx context.Context, id string) (Supplier, error) {
	if !validID(id) {
		return Supplier{}, &Error{Code: CodeNotFound, Message: "no such supplier"}
	}
	return s.store.Supplier(ctx, id)
}

// RotateAPIKey issues a new key for supplierID and revokes every other key it has, in one
// transaction; it returns the key record and its one-time plain text.
func (s *Service) RotateAPIKey(ctx context.Context, supplierID string) (APIKey, string, error) {
	if _, err := s.Supplier(ctx, supplierID); err != nil {
		return APIKey{}, "", err
	}
	now := s.now().Truncate(time.Second)
	key, plain := newAPIKey(supplierID, now)
	if err := s.store.RotateAPIKey(ctx, key); err != nil {
		return APIKey{}, "", err
	}
	return key, plain, nil
}

// RevokeAPIKey revokes one key of supplierID; revoking a revoked key is not an error.
func (s *Service) RevokeAPIKey(ctx context.Context, supplierID, keyID string) error {
	if !validID(supplierID) || !validID(keyID) {
		return &Error{Code: CodeNotFound, Message: "no such key"}
	}
	return s.store.RevokeAPIKey(ctx, supplierID, keyID, s.now().Truncate(time.Second))
}

// Authenticate returns the supplier whose valid API key token is. Every failure (malformed,
// unknown, wrong secret, revoked) is the same CodeUnauthorized, so probing learns nothing.
func (s *Service) Authenticate(ctx context.Context, token string) (Supplier, error) {
	denied := &Error{Code: CodeUnauthorized, Message: "invalid or revoked API key"}
	id, secret, ok := parseAPIKey(token)
	if !ok {
		return Supplier{}, denied
	}
	key, err := s.store.APIKey(ctx, id)
	if ErrorCode(err) == CodeNotFound {
		return Supplier{}, denied
	}
	if err != nil {
		return Supplier{}, err
	}
	if !secretMatches(secret, key.Hash) || !key.RevokedAt.IsZero() {
		return Supplier{}, denied
	}
	return s.store.Supplier(ctx, key.SupplierID)
}

// APIKeyID returns the key id of a well-formed API key without looking it up: enough to count
// a caller's requests before (and without) authenticating it.
func APIKeyID(token string) (string, bool) {
	id, _, ok := parseAPIKey(token)
	return id, ok
}
