package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// section is one part of a document that a reviewer reads as a unit: a policy statement (named by its Sid),
// a replication rule (by its id), one input or output. Documents are compared section by section, and every
// hunk is headed by its section's label, so a change deep inside a long statement still says which statement
// it is in: a plain unified diff of the whole document shows only three lines of context, which rarely
// reach the Sid.
type section struct {
	key   string // pairs a base section with its head section
	label string // in every hunk header of the section
	text  string // pretty-printed, one or more lines
}

// hunkContext is how many unchanged lines each hunk shows around a change.
const hunkContext = 3

// diffSections compares sections by key, in head order, then the sections only the base has. It returns ""
// when nothing differs. Every line it writes ends in a newline, so a changed last line is never glued to the
// line after it.
func diffSections(base, head []section) string {
	old := map[string]section{}
	for _, s := range base {
		old[s.key] = s
	}
	var b strings.Builder
	inHead := map[string]bool{}
	for _, h := range head {
		inHead[h.key] = true
		o, existed := old[h.key]
		switch {
		case !existed:
			writeHunks(&b, h.label+" (added)", nil, splitLines(h.text))
		case o.text != h.text:
			writeHunks(&b, h.label, splitLines(o.text), splitLines(h.text))
		}
	}
	for _, o := range base {
		if !inHead[o.key] {
			writeHunks(&b, o.label+" (removed)", splitLines(o.text), nil)
		}
	}
	return b.String()
}

// writeHunks writes the changes from a to c as unified-diff hunks headed "@@ label @@".
func writeHunks(b *strings.Builder, label string, a, c []string) {
	for _, group := range difflib.NewMatcher(a, c).GetGroupedOpCodes(hunkContext) {
		fmt.Fprintf(b, "@@ %s @@\n", label)
		for _, op := range group {
			if op.Tag == 'e' {
				writePrefixed(b, " ", a[op.I1:op.I2])
				continue
			}
			if op.Tag == 'r' || op.Tag == 'd' {
				writePrefixed(b, "-", a[op.I1:op.I2])
			}
			if op.Tag == 'r' || op.Tag == 'i' {
				writePrefixed(b, "+", c[op.J1:op.J2])
			}
		}
	}
}

func writePrefixed(b *strings.Builder, prefix string, lines []string) {
	for _, l := range lines {
		b.WriteString(prefix + l + "\n")
	}
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// policySections splits a policy document into its top-level fields and its statements, each statement
// labelled with its Sid and indented as in the whole pretty-printed document. Statements pair by Sid, or by
// position when they have none. A document that is not an object with a Statement list is one section.
func policySections(doc string) []section {
	if doc == "" {
		return nil
	}
	var top map[string]json.RawMessage
	var statements []json.RawMessage
	if json.Unmarshal([]byte(doc), &top) != nil || json.Unmarshal(top["Statement"], &statements) != nil {
		return []section{{key: "document", label: "policy document", text: prettyJSON(doc)}}
	}
	var out []section
	for _, k := range sortedKeys(top) {
		if k != "Statement" {
			out = append(out, section{key: "field " + k, label: k, text: member("  ", k, top[k])})
		}
	}
	seen := map[string]int{}
	for i, raw := range statements {
		var st struct{ Sid string }
		_ = json.Unmarshal(raw, &st)
		key, label := "sid "+st.Sid, fmt.Sprintf("statement %q", st.Sid)
		if st.Sid == "" {
			key, label = fmt.Sprintf("position %d", i+1), fmt.Sprintf("statement %d (no Sid)", i+1)
		}
		if seen[key]++; seen[key] > 1 {
			key = fmt.Sprintf("%s #%d", key, seen[key])
		}
		out = append(out, section{key: key, label: label, text: "    " + indentJSON(raw, "    ")})
	}
	return out
}

// listSections splits a list of objects (replication or lifecycle rules) into one section per element, paired
// and labelled by the element's "id", each indented by prefix as inside the pretty-printed list. It returns
// false when v is not such a list.
func listSections(v any, what, prefix string) ([]section, bool) {
	items, ok := v.([]any)
	if !ok || len(items) == 0 {
		return nil, false
	}
	var out []section
	seen := map[string]int{}
	for i, item := range items {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, false
		}
		id, _ := obj["id"].(string)
		key, label := "id "+id, fmt.Sprintf("%s %q", what, id)
		if id == "" {
			key, label = fmt.Sprintf("position %d", i+1), fmt.Sprintf("%s %d (no id)", what, i+1)
		}
		if seen[key]++; seen[key] > 1 {
			key = fmt.Sprintf("%s #%d", key, seen[key])
		}
		out = append(out, section{key: what + " " + key, label: label, text: prefix + indentJSON([]byte(prettyValue(item)), prefix)})
	}
	return out, true
}

// memberSections makes one section per key of m, written `"key": value` as in the pretty-printed object; a
// list of rules is one section per rule, so each hunk names its rule.
func memberSections(m map[string]any) []section {
	var out []section
	for _, k := range sortedKeys(m) {
		if m[k] == nil {
			continue
		}
		if rules, ok := listSections(m[k], k, "    "); ok {
			out = append(out, rules...)
			continue
		}
		out = append(out, section{key: k, label: k, text: member("  ", k, []byte(prettyValue(m[k])))})
	}
	return out
}

// member writes one object member, `"key": value`, at the indentation it has inside its object.
func member(prefix, key string, raw json.RawMessage) string {
	name, _ := json.Marshal(key)
	return prefix + string(name) + ": " + indentJSON(raw, prefix)
}

func indentJSON(raw []byte, prefix string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, prefix, "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}
