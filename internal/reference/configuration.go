package reference

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"log-archive/internal/stackconfig"
)

// The stack kinds in the order both files list them, with their headings.
var kinds = []struct {
	kind    stackconfig.Kind
	comment string // Pulumi.yaml
	heading string // docs/configuration.md
	stacks  string // "required in ..."
}{
	{"", "Both kinds of stack", "Both kinds of stack", "every stack"},
	{stackconfig.KindDestination, "Destination (archive) stack", "Destination (archive) stack", "the destination stack"},
	{stackconfig.KindSource, "Source stacks", "Source stacks", "source stacks"},
}

// projectConfig is Pulumi.yaml's config block: each key's type and default for the Pulumi CLI's checks,
// and its description and rules.
func projectConfig(string) (string, error) {
	var b strings.Builder
	b.WriteString("config:\n")
	for i, k := range kinds {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  # %s\n", k.comment)
		for _, d := range stackconfig.KeyTable {
			if d.Kind != k.kind {
				continue
			}
			fmt.Fprintf(&b, "  %s:\n    type: %s\n", d.Key, d.Type)
			if d.Items != "" {
				fmt.Fprintf(&b, "    items:\n      type: %s\n", d.Items)
			}
			if d.Default != nil {
				v, err := yamlScalar(d.Default)
				if err != nil {
					return "", fmt.Errorf("%s: default: %w", d.Key, err)
				}
				fmt.Fprintf(&b, "    default: %s\n", v)
			}
			description := strings.TrimSpace(d.Description + " " + d.Rules)
			if d.Required {
				description += " Required in " + k.stacks + "."
			}
			v, err := yamlScalar(description)
			if err != nil {
				return "", fmt.Errorf("%s: description: %w", d.Key, err)
			}
			fmt.Fprintf(&b, "    description: %s\n", v)
		}
	}
	return b.String(), nil
}

func yamlScalar(v any) (string, error) {
	out, err := yaml.Marshal(v)
	return strings.TrimSuffix(string(out), "\n"), err
}

// configurationTables is docs/configuration.md's tables: one per stack kind, every key with its type,
// default and meaning.
func configurationTables(string) (string, error) {
	var b strings.Builder
	for i, k := range kinds {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "### %s\n\n| key | type | default | meaning |\n| --- | --- | --- | --- |\n", k.heading)
		rows := stackconfig.KeyTable
		if k.kind == "" {
			rows = append(append([]stackconfig.Declaration{}, stackconfig.KeyTable...), stackconfig.ProviderKeys...)
		}
		for _, d := range rows {
			if d.Kind != k.kind {
				continue
			}
			meaning := strings.TrimSpace(d.Description + " " + d.Rules)
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", d.Key, typeWords(d), cell(defaultWords(d)), cell(meaning))
		}
	}
	return b.String(), nil
}

// typeWords names a key's type as the YAML a user writes.
func typeWords(d stackconfig.Declaration) string {
	items := map[string]string{"string": "text", "object": "mappings"}[d.Items]
	return map[string]string{"string": "text", "boolean": "`true`/`false`", "object": "mapping", "array": "list of " + items}[d.Type]
}

func defaultWords(d stackconfig.Declaration) string {
	switch {
	case d.Required:
		return "required"
	case d.Unset != "":
		return d.Unset
	}
	return fmt.Sprintf("`%v`", d.Default)
}

// cell escapes the pipes of a Markdown table cell (GitHub renders \| as | inside code spans too).
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
