// Package fielderr is how components report what is wrong with their arguments: each problem with the
// field's path (Buckets[1].KMSKeyArns[0]), its value, the problem and the fix, and every problem at once.
// A component owns its rules; the configuration layer (internal/stackconfig) only renames the paths to the
// stack file's keys, so that one rule has one definition.
package fielderr

import (
	"fmt"
	"regexp"
	"strings"
)

// Error is one problem with one field of a component's arguments.
type Error struct {
	// Path names the field from the arguments' root: AccountID, SourceAccountIDs[2], Buckets[0].Prefix,
	// Alarms.TopicArns[eu-west-1] (a map's key in brackets too).
	Path string
	// Value is the value as shown to the user: strings quoted, "" when the field is not set.
	Value string
	// Problem and Fix may name other fields as {Path} tokens (e.g. "remove {SourcePrincipals}"), which
	// Render rewrites: to the stack file's keys in the configuration layer, to the bare path otherwise.
	Problem string
	Fix     string
}

func (e *Error) Error() string {
	return e.Render(func(path string) string { return path })
}

// Render formats the error with name turning each path (its own and the {Path} tokens) into what the
// reader knows it by.
func (e *Error) Render(name func(path string) string) string {
	var b strings.Builder
	b.WriteString(name(e.Path))
	b.WriteString(": ")
	if e.Value != "" {
		b.WriteString(e.Value)
		b.WriteString(" ")
	}
	b.WriteString(Expand(e.Problem, name))
	if e.Fix != "" {
		b.WriteString(". Fix: ")
		b.WriteString(Expand(e.Fix, name))
	}
	return b.String()
}

var token = regexp.MustCompile(`\{(/?[A-Z][A-Za-z0-9]*(?:(?:\.[A-Z][A-Za-z0-9]*)|(?:\[[^\]{}]*\]))*)\}`)

// Expand replaces every {Path} token of s with name(Path).
func Expand(s string, name func(path string) string) string {
	return token.ReplaceAllStringFunc(s, func(t string) string { return name(t[1 : len(t)-1]) })
}

// Tokens are the paths s names as {Path} tokens.
func Tokens(s string) []string {
	var out []string
	for _, m := range token.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// Errors is every problem found; a component's Validate returns it (alone, or joined with problems that
// belong to no single field, such as a policy over its size limit).
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// List collects problems. The zero value is ready to use; Nest returns a List that adds to the same
// collection under a path prefix.
type List struct {
	prefix string
	errs   *Errors
}

func (l *List) store() *Errors {
	if l.errs == nil {
		l.errs = &Errors{}
	}
	return l.errs
}

func (l *List) path(p string) string {
	switch {
	case l.prefix == "":
		return p
	case p == "":
		return l.prefix
	case strings.HasPrefix(p, "["):
		return l.prefix + p
	}
	return l.prefix + "." + p
}

// Add records a problem with the field at path. The path, and the {Path} tokens of problem and fix, are
// relative to the List's prefix; a token {/Path} names a field from the arguments' root.
func (l *List) Add(path, value, problem, fix string) {
	s := l.store()
	within := func(p string) string {
		if abs, ok := strings.CutPrefix(p, "/"); ok {
			return "{" + abs + "}"
		}
		return "{" + l.path(p) + "}"
	}
	*s = append(*s, &Error{Path: l.path(path), Value: value, Problem: Expand(problem, within), Fix: Expand(fix, within)})
}

// Check records err, if any, as a problem with the string field at path whose value is v, and says
// whether there was none. Validators put the quoted value first in their messages; it is shown once.
func (l *List) Check(path, v string, err error, fix string) bool {
	if err == nil {
		return true
	}
	l.Add(path, Quote(v), strings.TrimPrefix(err.Error(), fmt.Sprintf("%q ", v)), fix)
	return false
}

// Nest returns a List that adds to l's collection, each path under prefix.
func (l *List) Nest(prefix string) *List {
	return &List{prefix: l.path(prefix), errs: l.store()}
}

// Has says whether any problem was recorded, under any prefix.
func (l *List) Has() bool { return l.errs != nil && len(*l.errs) > 0 }

// Err is the problems recorded, or nil.
func (l *List) Err() error {
	if !l.Has() {
		return nil
	}
	return *l.errs
}

// Quote shows a string value: quoted, or "" (not set) when empty.
func Quote(v string) string {
	if v == "" {
		return ""
	}
	return fmt.Sprintf("%q", v)
}

// All splits err into its field problems and the rest: joined errors are looked into, an error that wraps
// others with text of its own is one of the rest.
func All(err error) (fields Errors, others []error) {
	switch e := err.(type) {
	case nil:
	case Errors:
		fields = append(fields, e...)
	case *Error:
		fields = append(fields, e)
	case interface{ Unwrap() []error }:
		for _, c := range e.Unwrap() {
			f, o := All(c)
			fields, others = append(fields, f...), append(others, o...)
		}
	default:
		others = append(others, err)
	}
	return fields, others
}
