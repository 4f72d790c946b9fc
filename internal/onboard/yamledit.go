package onboard

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// The user's own files (fleet.yaml, .github/stacks.yaml, the archive's stack file) are edited as yaml.v3
// node trees: entries are added or removed in place, and every other line, comment and style is left as
// it was. A file that needs no change is not re-encoded at all, so a second run changes no byte.

// parseDoc reads a YAML document as a node tree.
func parseDoc(file string, raw []byte) (*yaml.Node, error) {
	doc := &yaml.Node{}
	if err := yaml.Unmarshal(raw, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Kind == 0 {
		doc.Kind = yaml.DocumentNode
		doc.Content = []*yaml.Node{{Kind: yaml.MappingNode}}
	}
	if doc.Kind != yaml.DocumentNode || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML mapping", file)
	}
	return doc, nil
}

// encodeDoc writes a node tree back with the two-space indentation the project's files use.
func encodeDoc(doc *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// lookup returns the value node of key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// ensureMapping returns the mapping under key, adding an empty block mapping at the end when absent.
func ensureMapping(m *yaml.Node, key string) *yaml.Node {
	if v := lookup(m, key); v != nil {
		if v.Kind != yaml.MappingNode || v.Tag == "!!null" {
			v.Kind, v.Tag, v.Value, v.Style = yaml.MappingNode, "", "", 0
		}
		return v
	}
	v := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, str(key), v)
	return v
}

// setEntry puts value under key in mapping m: replaced in place when present (keeping the key's comments),
// appended otherwise. It reports whether anything changed.
func setEntry(m *yaml.Node, key string, value *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		if sameNode(m.Content[i+1], value) {
			return false
		}
		value.HeadComment, value.LineComment, value.FootComment = m.Content[i+1].HeadComment, m.Content[i+1].LineComment, m.Content[i+1].FootComment
		m.Content[i+1] = value
		return true
	}
	m.Content = append(m.Content, str(key), value)
	return true
}

// deleteEntry removes key from mapping m; its head comment moves to the next key so a section comment
// written above the first entry stays.
func deleteEntry(m *yaml.Node, key string) bool {
	if m == nil {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		if i+2 < len(m.Content) && m.Content[i+2].HeadComment == "" {
			m.Content[i+2].HeadComment = m.Content[i].HeadComment
		}
		m.Content = append(m.Content[:i], m.Content[i+2:]...)
		return true
	}
	return false
}

// sameNode compares two nodes by what a reader of the YAML sees: kinds, values and structure.
func sameNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

// seqValues are the scalar values of a sequence node.
func seqValues(n *yaml.Node) []string {
	var out []string
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	for _, c := range n.Content {
		out = append(out, c.Value)
	}
	return out
}
