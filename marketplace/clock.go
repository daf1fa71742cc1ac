package marketplace

import "time"

// Now returns the service's clock reading (UTC). Callers that show time-dependent state, such
// as a quote's remaining validity on a web page, use it so that what they show agrees with what
// the service enforces (accepting a quote re-checks its validity against this clock).
func (s *Service) Now() time.Time { return s.now() }
