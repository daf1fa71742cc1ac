package marketplace

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"corridor/tariff"
)

// BuyerAccount is who buys: an organisation (or a person) with the facts a quote's taxes
// depend on, registered once so that its quotes and orders belong to it and a supplier knows
// whom to invoice. It is light on purpose — no password, no e-mail: the account holds a buyer
// key (shown once, stored hashed) that signs programs in with Authorization: Bearer and people
// in through a browser session.
type BuyerAccount struct {
	ID           string // "buy_…", 128 random bits
	Organisation string // the name to invoice
	Country      string // ISO 3166-1 alpha-2: where the buyer is established
	Type         string // business | consumer
	VATID        string // normalized; required for a business in an EU member state, empty for a consumer
	Headquarters string // optional ISO country of the buyer's headquarters, when not Country
	Region       string // optional registered region (a buyer.region code such as cn-beijing)
	CreatedAt    time.Time
}

// QuoteBuyer is the account as the buyer of a quote request: the one place where account
// fields map into a request, for the API (fields a request leaves empty) and for the quote
// form (pre-filled). A field the quote request gains that an account holds is added here, in
// Prefill and in Matches.
//
// The VAT recovery share (Buyer.VATRecovery) is not an account field: it changes only the
// buyer's own net cost, never a line, the total or who owes which tax, so a buyer may price
// with any share it likes and still accept (Matches ignores it).
func (a BuyerAccount) QuoteBuyer() Buyer {
	return Buyer{Country: a.Country, Type: a.Type, VATID: a.VATID, Region: a.Region, Headquarters: a.Headquarters}
}

// Prefill returns b with every field it leaves empty taken from the account (QuoteBuyer): a
// signed-in request says only what differs.
func (a BuyerAccount) Prefill(b Buyer) Buyer {
	acct := a.QuoteBuyer()
	if b.Country == "" {
		b.Country = acct.Country
	}
	if b.Type == "" {
		b.Type = acct.Type
	}
	if b.VATID == "" {
		b.VATID = acct.VATID
	}
	if b.Region == "" {
		b.Region = acct.Region
	}
	if b.Headquarters == "" {
		b.Headquarters = acct.Headquarters
	}
	return b
}

// Matches reports whether a quote priced for b was priced for this account: the same
// country, type, VAT number (compared normalized), registered region and headquarters (an
// empty headquarters is the buyer's country, as pricing reads it), every field of QuoteBuyer.
// A quote priced for someone else carries someone else's taxes and export-control gates, so it
// is not the account's to accept.
func (a BuyerAccount) Matches(b Buyer) bool {
	acct := a.QuoteBuyer()
	return b.Country == acct.Country && b.Type == acct.Type && b.Region == acct.Region &&
		normalizeVATID(b.Country, b.VATID) == normalizeVATID(acct.Country, acct.VATID) &&
		headquartersOf(b) == headquartersOf(acct)
}

// headquartersOf is the country of b's headquarters: its own when it names none.
func headquartersOf(b Buyer) string {
	if b.Headquarters == "" {
		return b.Country
	}
	return strings.ToUpper(b.Headquarters)
}

// normalizeVATID writes a VAT number the way CheckVATID does for an EU member state (upper
// case, prefixed, no separators) and upper case without spaces elsewhere, for comparisons.
func normalizeVATID(country, id string) string {
	if n, err := tariff.CheckVATID(country, id); err == nil {
		return n
	}
	return strings.ToUpper(strings.Join(strings.Fields(id), ""))
}

// NewBuyer is what a buyer gives to open an account.
type NewBuyer struct {
	Organisation string
	Country      string
	Type         string
	VATID        string
	Headquarters string
	Region       string
}

// Limits of a buyer account's fields.
const (
	MaxOrganisationLen = 200 // characters
	MaxCancelReasonLen = 500 // characters of an order cancellation's reason
)

// validate checks every field of a new account and returns it normalized.
func (in NewBuyer) validate() (BuyerAccount, []FieldError) {
	var errs []FieldError
	bad := func(field, msg string) { errs = append(errs, FieldError{Field: field, Message: msg}) }
	a := BuyerAccount{
		Organisation: strings.TrimSpace(in.Organisation), Country: strings.ToUpper(strings.TrimSpace(in.Country)),
		Type: strings.TrimSpace(in.Type), Headquarters: strings.ToUpper(strings.TrimSpace(in.Headquarters)),
		Region: strings.TrimSpace(in.Region),
	}
	switch {
	case a.Organisation == "":
		bad("organisation", "is required: the name to invoice")
	case TextProblem(a.Organisation, false) != "":
		bad("organisation", TextProblem(a.Organisation, false))
	case utf8.RuneCountInString(a.Organisation) > MaxOrganisationLen:
		bad("organisation", fmt.Sprintf("must be at most %d characters", MaxOrganisationLen))
	}
	countryOK := tariff.IsCountry(a.Country)
	if !countryOK {
		bad("country", "must be an ISO 3166-1 alpha-2 country code such as DE or CN, not "+quoteField(in.Country))
	}
	typeOK := a.Type == string(tariff.BuyerBusiness) || a.Type == string(tariff.BuyerConsumer)
	if !typeOK {
		bad("type", "must be business or consumer, not "+quoteField(in.Type))
	}
	vat := strings.TrimSpace(in.VATID)
	switch {
	case !countryOK || !typeOK:
		// The VAT number's rule depends on both; their own errors come first.
	case a.Type == string(tariff.BuyerConsumer):
		if vat != "" {
			bad("vat_id", "a consumer has no VAT number: leave it empty, or open the account as a business")
		}
	case tariff.VATPrefix(a.Country) != "":
		if vat == "" {
			bad("vat_id", "is required for a business in "+a.Country+": the reverse charge and the VAT exemptions rest on it")
		} else if n, err := tariff.CheckVATID(a.Country, vat); err != nil {
			bad("vat_id", strings.TrimPrefix(err.Error(), "tariff: "))
		} else {
			a.VATID = n
		}
	default:
		n := strings.ToUpper(vat)
		switch {
		case len(n) > MaxVATIDLen:
			bad("vat_id", fmt.Sprintf("is longer than %d characters", MaxVATIDLen))
		case strings.IndexFunc(n, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" -./", r))
		}) >= 0:
			bad("vat_id", "may hold letters A–Z, digits, spaces, dots, slashes and hyphens only")
		default:
			a.VATID = n
		}
	}
	if a.Headquarters != "" && !tariff.IsCountry(a.Headquarters) {
		bad("headquarters", "must be an ISO 3166-1 alpha-2 country code such as US or CN, or empty, not "+quoteField(in.Headquarters))
	}
	if a.Region != "" && !IsSlug(a.Region) {
		bad("region", "must be a region code of lowercase letters, digits and dashes such as cn-beijing, or empty, not "+quoteField(in.Region))
	}
	return a, errs
}

// BuyerKeyPrefix starts every buyer key: cbk_<16 hex key id>_<64 hex secret>.
const BuyerKeyPrefix = "cbk_"

// BuyerKey is a buyer's credential as stored: the key id and the SHA-256 of the secret.
type BuyerKey struct {
	ID        string
	BuyerID   string
	Hash      string
	CreatedAt time.Time
	RevokedAt time.Time // zero while the key is valid
}

// IsBuyerKey reports whether token has the shape of a buyer key (not whether it is valid).
func IsBuyerKey(token string) bool {
	_, _, ok := parseSecretKey(BuyerKeyPrefix, token)
	return ok
}

// newBuyerKey returns a fresh key of buyerID and its one-time plain text.
func newBuyerKey(buyerID string, now time.Time) (BuyerKey, string) {
	id, hash, plain := newSecretKey(BuyerKeyPrefix)
	return BuyerKey{ID: id, BuyerID: buyerID, Hash: hash, CreatedAt: now}, plain
}

// CreateBuyer opens a buyer account with its first key and returns both; the key's plain text
// is returned here and never again.
func (s *Service) CreateBuyer(ctx context.Context, in NewBuyer) (BuyerAccount, string, error) {
	a, errs := in.validate()
	if len(errs) > 0 {
		return BuyerAccount{}, "", Invalid("invalid buyer account", errs...)
	}
	now := s.now().Truncate(time.Second)
	a.ID, a.CreatedAt = NewID("buy"), now
	key, plain := newBuyerKey(a.ID, now)
	if err := s.store.CreateBuyer(ctx, a, key); err != nil {
		return BuyerAccount{}, "", err
	}
	return a, plain, nil
}

// Buyer reads one buyer account.
func (s *Service) Buyer(ctx context.Context, id string) (BuyerAccount, error) {
	if !validID(id) {
		return BuyerAccount{}, &Error{Code: CodeNotFound, Message: "no such buyer"}
	}
	return s.store.Buyer(ctx, id)
}

// AuthenticateBuyer returns the account whose valid buyer key token is. Every failure
// (malformed, unknown, wrong secret, revoked) is the same CodeUnauthorized.
func (s *Service) AuthenticateBuyer(ctx context.Context, token string) (BuyerAccount, error) {
	denied := &Error{Code: CodeUnauthorized, Message: "invalid or revoked buyer key"}
	id, secret, ok := parseSecretKey(BuyerKeyPrefix, token)
	if !ok {
		return BuyerAccount{}, denied
	}
	key, err := s.store.BuyerKey(ctx, id)
	if ErrorCode(err) == CodeNotFound {
		return BuyerAccount{}, denied
	}
	if err != nil {
		return BuyerAccount{}, err
	}
	if !secretMatches(secret, key.Hash) || !key.RevokedAt.IsZero() {
		return BuyerAccount{}, denied
	}
	return s.store.Buyer(ctx, key.BuyerID)
}

// RotateBuyerKey issues a new key for buyerID, revokes every other key it has and ends its
// browser sessions, in one transaction (a rotation is what follows a leak); it returns the key
// record and its one-time plain text.
func (s *Service) RotateBuyerKey(ctx context.Context, buyerID string) (BuyerKey, string, error) {
	if _, err := s.Buyer(ctx, buyerID); err != nil {
		return BuyerKey{}, "", err
	}
	key, plain := newBuyerKey(buyerID, s.now().Truncate(time.Second))
	if err := s.store.RotateBuyerKey(ctx, key); err != nil {
		return BuyerKey{}, "", err
	}
	return key, plain, nil
}

// BuyerSessionTTL is how long a browser session lasts from sign-in; then the buyer signs in
// with the key again.
const BuyerSessionTTL = 7 * 24 * time.Hour

// BuyerSession is a browser session as stored: the SHA-256 of its token (the cookie's value,
// never stored), its buyer and its end.
type BuyerSession struct {
	Hash      string
	BuyerID   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// StartBuyerSession opens a browser session for buyerID and returns its token (for the
// cookie, never stored) and when it ends. Expired sessions of every buyer are deleted on the
// way, so the table holds live sessions and the recently expired only.
func (s *Service) StartBuyerSession(ctx context.Context, buyerID string) (string, time.Time, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("marketplace: session token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now().Truncate(time.Second)
	sess := BuyerSession{Hash: hashSecret(tok), BuyerID: buyerID, CreatedAt: now, ExpiresAt: now.Add(BuyerSessionTTL)}
	if err := s.store.PutBuyerSession(ctx, sess, now); err != nil {
		return "", time.Time{}, err
	}
	return tok, sess.ExpiresAt, nil
}

// SignInBuyer checks a buyer key typed into the sign-in form and opens a session for its
// account: the account, the session token and its end.
func (s *Service) SignInBuyer(ctx context.Context, key string) (BuyerAccount, string, time.Time, error) {
	a, err := s.AuthenticateBuyer(ctx, strings.TrimSpace(key))
	if err != nil {
		return BuyerAccount{}, "", time.Time{}, err
	}
	tok, until, err := s.StartBuyerSession(ctx, a.ID)
	return a, tok, until, err
}

// BuyerBySession returns the account of a live session token; an unknown, ended or expired
// session is CodeUnauthorized.
func (s *Service) BuyerBySession(ctx context.Context, token string) (BuyerAccount, error) {
	denied := &Error{Code: CodeUnauthorized, Message: "not signed in"}
	if token == "" || len(token) > 64 {
		return BuyerAccount{}, denied
	}
	sess, err := s.store.BuyerSession(ctx, hashSecret(token))
	if ErrorCode(err) == CodeNotFound {
		return BuyerAccount{}, denied
	}
	if err != nil {
		return BuyerAccount{}, err
	}
	if !s.now().Before(sess.ExpiresAt) {
		return BuyerAccount{}, denied
	}
	return s.store.Buyer(ctx, sess.BuyerID)
}

// EndBuyerSession signs a browser session out; ending an unknown session is not an error.
func (s *Service) EndBuyerSession(ctx context.Context, token string) error {
	if token == "" || len(token) > 64 {
		return nil
	}
	return s.store.DeleteBuyerSession(ctx, hashSecret(token))
}

// BuyerStore holds buyer accounts, their keys and their browser sessions.
type BuyerStore interface {
	// CreateBuyer stores a new account with its first key, in one transaction.
	CreateBuyer(ctx context.Context, a BuyerAccount, key BuyerKey) error
	// Buyer reads one account; CodeNotFound when there is none.
	Buyer(ctx context.Context, id string) (BuyerAccount, error)
	// BuyersByID reads the accounts with the given ids that exist, keyed by id.
	BuyersByID(ctx context.Context, ids []string) (map[string]BuyerAccount, error)
	// BuyerKey reads one key (revoked ones too); CodeNotFound when there is none.
	BuyerKey(ctx context.Context, id string) (BuyerKey, error)
	// RotateBuyerKey stores key, revokes every other valid key of its buyer and deletes the
	// buyer's sessions, in one transaction.
	RotateBuyerKey(ctx context.Context, key BuyerKey) error
	// PutBuyerSession stores a session and deletes every session that expired before now.
	PutBuyerSession(ctx context.Context, s BuyerSession, now time.Time) error
	// BuyerSession reads a session by the hash of its token; CodeNotFound when there is none.
	BuyerSession(ctx context.Context, hash string) (BuyerSession, error)
	// DeleteBuyerSession deletes a session by the hash of its token (none is not an error).
	DeleteBuyerSession(ctx context.Context, hash string) error
}
