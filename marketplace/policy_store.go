package marketplace

// PolicyStore holds tariff policy documents and their versions.
type PolicyStore interface {
}
