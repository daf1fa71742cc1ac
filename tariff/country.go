package tariff

// IsCountry reports whether code is an ISO 3166-1 alpha-2 country code the engine knows.
func IsCountry(code string) bool { return isoCountries[code] }
