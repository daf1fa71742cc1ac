package tariff

import (
	"reflect"
	"testing"

	"github.com/shopspring/decimal"
)

// Changing any field of a supply the engine reads changes its key; the fields left out are the
// ones the key's contract names (converter, ledger, used subsidies).
func TestAppendKeyCoversEveryField(t *testing.T) {
	left := map[string]bool{"Rates": true, "Quota": true, "SubsidyUsed": true}
	base := service("CN", "DE", BuyerBusiness, "100", "1000")
	base.Accelerator = h100()
	key := string(base.AppendKey(nil))
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := 0; i < v.NumField(); i++ {
			f, name := v.Field(i), path+v.Type().Field(i).Name
			if left[name] {
				continue
			}
			if f.Type() == reflect.TypeOf(Accelerator{}) {
				walk(f, name+".")
				continue
			}
			old := reflect.ValueOf(f.Interface())
			switch f.Kind() {
			case reflect.String:
				f.SetString(f.String() + "x")
			case reflect.Bool:
				f.SetBool(!f.Bool())
			case reflect.Slice:
				f.Set(reflect.ValueOf([]string{"x"}))
			case reflect.Struct:
				f.Set(reflect.ValueOf(f.Interface().(decimal.Decimal).Add(decimal.NewFromInt(1))))
			default:
				t.Fatalf("%s: a field of kind %s: teach AppendKey and this test about it", name, f.Kind())
			}
			if string(base.AppendKey(nil)) == key {
				t.Errorf("changing %s leaves the key unchanged", name)
			}
			f.Set(old)
		}
	}
	walk(reflect.ValueOf(&base).Elem(), "")
	if string(base.AppendKey(nil)) != key {
		t.Error("the walk did not restore the supply")
	}
	// Lists are delimited: [a,b] and [a b] differ from [ab].
	x, y := base, base
	x.Listings, y.Listings = []string{"a", "b"}, []string{"ab"}
	if string(x.AppendKey(nil)) == string(y.AppendKey(nil)) {
		t.Error("lists run together")
	}
}
