package stackconfig

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// encoding/json matches field names regardless of case: {name: a, Name: b} decodes to one of the two
// and drops the other without a word, and {Name: a} passes for name. The stack file is YAML, where keys
// are case-sensitive, so a field is accepted only as it is declared.

// misspelling is one field of a configuration object spelt otherwise than declared.
type misspelling struct {
	path  string // e.g. [0].Name
	value string // the field's value as JSON
	want  string // the declared spelling
	twice bool   // the object also has the field in another spelling, so one of them would be dropped
}

// fieldSpelling reports every field of the value v of key that is not spelt exactly as out's shape
// declares it, and says whether there was any; the value is then not decoded (one mistake, one message).
func (r *reader) fieldSpelling(key, v string, out any, shape string) bool {
	var decoded any
	if json.Unmarshal([]byte(v), &decoded) != nil {
		return false // not a value at all: the decoder says so
	}
	var found []misspelling
	misspellings(decoded, reflect.TypeOf(out), "", &found)
	for _, m := range found {
		if m.twice {
			r.fail(key+m.path, m.value, "repeats the field name in other capitals; field names are case-sensitive, and one of the two would be dropped",
				"keep one of the two, spelt "+m.want)
		} else {
			r.fail(key+m.path, m.value, "is not spelt as this program declares it; field names are case-sensitive",
				"write "+m.want+" (the shape is "+shape+")")
		}
	}
	return len(found) > 0
}

// misspellings walks a decoded value along the Go type it is decoded into: struct fields by their json
// names, and the items of lists and the values of maps (whose keys are the user's own, such as tags).
func misspellings(v any, t reflect.Type, path string, found *[]misspelling) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
				fields[name] = t.Field(i).Type
			}
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if ft, ok := fields[k]; ok {
				misspellings(obj[k], ft, path+"."+k, found)
				continue
			}
			for want := range fields {
				if !strings.EqualFold(want, k) {
					continue // not a spelling of this field; an unknown field is the decoder's to report
				}
				spellings := 0
				for other := range obj {
					if strings.EqualFold(other, want) {
						spellings++
					}
				}
				value, _ := json.Marshal(obj[k])
				*found = append(*found, misspelling{path: path + "." + k, value: string(value), want: want, twice: spellings > 1})
			}
		}
	case reflect.Slice, reflect.Array:
		items, _ := v.([]any)
		for i, item := range items {
			misspellings(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), found)
		}
	case reflect.Map:
		obj, _ := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			misspellings(obj[k], t.Elem(), path+"."+k, found)
		}
	}
}
