package contract

import (
	"fmt"
	"reflect"
	"strings"
)

// Outputs is either kind of stack's outputs.
type Outputs interface {
	ArchiveOutputs | SourceOutputs
}

// Field is one output as its struct field declares it.
type Field struct {
	Name     string // the output's name
	GoName   string // the struct field's name
	Required bool   // every stack of the kind has it
	Example  string
	Shape    string // the expected type in the words of an error
	index    int
}

// Fields lists the outputs of T in declaration order.
func Fields[T Outputs]() []Field {
	t := reflect.TypeFor[T]()
	fields := make([]Field, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("output"), ",")
		shape := f.Tag.Get("shape")
		if shape == "" {
			shape = describe(f.Type)
		}
		fields = append(fields, Field{Name: name, GoName: f.Name, Required: opts == "required",
			Example: f.Tag.Get("example"), Shape: shape, index: i})
	}
	return fields
}

// Names lists the output names of T in declaration order.
func Names[T Outputs]() []string {
	var names []string
	for _, f := range Fields[T]() {
		names = append(names, f.Name)
	}
	return names
}

// describe names a Go type as a reader of the outputs sees it.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a map"
	}
	return t.String()
}

// kindOf names the type of a value decoded from JSON, in the same words.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a bool"
	case float64, float32, int, int64:
		return "a number"
	case []any, []string:
		return "a list"
	case map[string]any, map[string]string:
		return "a map"
	}
	return reflect.TypeOf(v).String()
}

// NameOf is the output name of the field of outputs that field points to, as in
// contract.NameOf(&s, &s.BucketRegions): a name read from the tag, never spelt a second time, and a field
// reference the compiler checks.
func NameOf[T Outputs](outputs *T, field any) string {
	rv := reflect.ValueOf(outputs).Elem()
	for _, f := range Fields[T]() {
		if rv.Field(f.index).Addr().Interface() == field {
			return f.Name
		}
	}
	panic(fmt.Sprintf("contract: %T is not a field of %T", field, outputs))
}
