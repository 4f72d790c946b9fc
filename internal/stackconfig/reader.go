// Package stackconfig reads and validates a stack's configuration. Every problem is reported with the
// stack file, the key, the value and the fix, and all of them at once, before any resource is registered.
package stackconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"log-archive/internal/suggest"
)

// Namespace is the project name, which prefixes the program's own keys.
const Namespace = "log-archive"

// Error is one rejected configuration value.
type Error struct {
	File    string // Pulumi.<stack>.yaml
	Key     string // namespaced key, with an index for list items: log-archive:sourceAccountIds[1]
	Value   string // as written, or "" when not set
	Problem string
	Fix     string
}

func (e *Error) Error() string {
	value := "is not set"
	if e.Value != "" {
		value = "= " + e.Value
	}
	return fmt.Sprintf("%s: %s %s: %s. Fix: %s", e.File, e.Key, value, e.Problem, e.Fix)
}

// Errors is every problem found in one stack's configuration.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = "  - " + e.Error()
	}
	noun := "problem"
	if len(es) > 1 {
		noun = "problems"
	}
	return fmt.Sprintf("the stack configuration has %d %s; nothing was created:\n%s", len(es), noun, strings.Join(lines, "\n"))
}

// StackFile is the file users edit for the current stack.
func StackFile(ctx *pulumi.Context) string { return "Pulumi." + ctx.Stack() + ".yaml" }

// reader collects problems while values are read, so that one run reports all of them.
type reader struct {
	file string
	cfgs map[string]*config.Config // by namespace
	errs Errors
}

func newReader(ctx *pulumi.Context) *reader {
	return &reader{file: StackFile(ctx), cfgs: map[string]*config.Config{
		Namespace: config.New(ctx, Namespace),
		"aws":     config.New(ctx, "aws"),
	}}
}

func (r *reader) fail(key, value, problem, fix string) {
	r.errs = append(r.errs, &Error{File: r.file, Key: key, Value: value, Problem: problem, Fix: fix})
}

func (r *reader) err() error {
	if len(r.errs) == 0 {
		return nil
	}
	return r.errs
}

// raw returns the value of a namespaced key such as "aws:region": "" when it is not set or holds the
// default Pulumi.yaml declares for it, which the Pulumi CLI merges into every stack (see Declaration).
func (r *reader) raw(key string) string {
	ns, name, _ := strings.Cut(key, ":")
	cfg, ok := r.cfgs[ns]
	if !ok {
		return ""
	}
	v := cfg.Get(name)
	if isDeclaredDefault(key, v) {
		return ""
	}
	return v
}

// str reads a string. A required key that is missing is reported with fix.
func (r *reader) str(key string, required bool, fix string) string {
	v := r.raw(key)
	if v == "" && required {
		r.fail(key, "", "this key is required", fix)
	}
	return v
}

func (r *reader) boolean(key string, def bool) bool {
	switch v := r.raw(key); v {
	case "":
		return def
	case "true":
		return true
	case "false":
		return false
	default:
		r.fail(key, quote(v), "not true or false", "write true or false without quotes")
		return def
	}
}

// object decodes a structured value into out, rejecting unknown fields so a misspelt field is not
// silently ignored. It returns false when the key is not set or cannot be decoded.
func (r *reader) object(key string, out any, shape string) bool {
	v := r.raw(key)
	if v == "" {
		return false
	}
	if r.fieldSpelling(key, v, out, shape) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(v)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		problem := jsonProblem(err)
		if field, ok := unknownField(err); ok {
			if near := nearestField(out, field); near != "" {
				problem += " (did you mean " + near + "?)"
			}
		}
		r.fail(key, v, "cannot be read: "+problem, "write it as "+shape)
		// One mistake, one message: what decoded before the error is not checked further.
		reflect.ValueOf(out).Elem().SetZero()
		return false
	}
	return true
}

// accountIDs reads a list of account IDs. YAML turns an unquoted 012345678901 into a number and drops
// the leading zero, so numbers are reported with that fix.
func (r *reader) accountIDs(key string, required bool, fix string) []string {
	v := r.raw(key)
	if v == "" {
		if required {
			r.fail(key, "", "this key is required", fix)
		}
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(v), &items); err != nil {
		r.fail(key, v, "is not a list", `write a YAML list of quoted account IDs, e.g. ["111111111111", "222222222222"]`)
		return nil
	}
	// Positions are kept (a bad item becomes "") so that later messages name the right index.
	ids := make([]string, len(items))
	for i, item := range items {
		if err := json.Unmarshal(item, &ids[i]); err != nil {
			r.fail(fmt.Sprintf("%s[%d]", key, i), string(item), "is not a quoted string",
				`quote account IDs in YAML ("012345678901") so a leading zero is not lost`)
		} else if ids[i] == "" {
			r.fail(fmt.Sprintf("%s[%d]", key, i), `""`, "is empty",
				`write each account's 12-digit ID in quotes, e.g. "222222222222", or remove the empty item`)
		}
	}
	// Items that are not strings, or empty, are "" from here on: reported once, above.
	return ids
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// display shows a value in an error: structured values (objects, lists) as written, strings quoted.
func display(v string) string {
	if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
		return v
	}
	return quote(v)
}

// jsonProblem says what is wrong with a value in the stack file's own terms (a list, a mapping, text, a
// whole number), never in Go's: the user wrote YAML.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		got := map[string]string{"string": "text", "number": "a number", "array": "a list", "object": "a mapping",
			"bool": "true or false", "null": "nothing"}[typeErr.Value]
		if got == "" {
			got = typeErr.Value
		}
		if typeErr.Field != "" {
			return fmt.Sprintf("field %q should be %s, not %s", typeErr.Field, yamlKind(typeErr.Type), got)
		}
		return fmt.Sprintf("should be %s, not %s", yamlKind(typeErr.Type), got)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return "is not a value of the expected shape"
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if field, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return "has a field this program does not know, " + field
	}
	return msg
}

// yamlKind names a Go type as the YAML a user writes for it.
func yamlKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		items := map[reflect.Kind]string{reflect.Struct: "mappings", reflect.Map: "mappings", reflect.String: "strings",
			reflect.Int: "whole numbers", reflect.Bool: "booleans"}[t.Elem().Kind()]
		if items == "" {
			items = "values"
		}
		return "a list of " + items
	case reflect.Struct, reflect.Map:
		return "a mapping of fields"
	case reflect.String:
		return "text"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	}
	return "a value of another kind"
}

// unknownField is the field name of a json "unknown field" error.
func unknownField(err error) (string, bool) {
	field, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	return strings.Trim(field, `"`), ok
}

// nearestField is the field of out's shape (a struct, or a list of them) that a misspelt field most
// likely meant: within a few edits, a singular for a plural.
func nearestField(out any, field string) string {
	t := reflect.TypeOf(out)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return suggest.Nearest(field, names, 3)
}
