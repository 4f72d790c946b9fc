package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"log-archive/internal/catalog"
)

// PolicyProperty says which input of a resource type holds a policy document, and its AWS limit.
type PolicyProperty struct {
	Property string
	Label    string
	Limit    int
}

// policyProperty is the policy-bearing input of type t, from the resource-type catalogue.
func policyProperty(t string) (PolicyProperty, bool) {
	info, ok := catalog.Of(catalog.Type(t))
	if !ok || info.Policy == nil {
		return PolicyProperty{}, false
	}
	return PolicyProperty{Property: info.Policy.Input, Label: info.Policy.Label, Limit: info.Policy.Limit}, true
}

// Policy is one policy document in a plan.
type Policy struct {
	Resource string // resource name
	Type     string
	PolicyProperty
	Document string // minified, as sent
}

// Bytes is the minified size AWS compares with the limit.
func (p Policy) Bytes() int { return len(p.Document) }

// Policies returns every policy document in the plan, in step order.
func (p *Plan) Policies() []Policy {
	var out []Policy
	for _, s := range p.Creates() {
		prop, ok := policyProperty(s.NewState.Type)
		if !ok {
			continue
		}
		if doc, ok := s.NewState.Inputs[prop.Property].(string); ok {
			out = append(out, Policy{Resource: s.Name(), Type: s.NewState.Type, PolicyProperty: prop, Document: doc})
		}
	}
	return out
}

// WriteText prints the plan for people: each resource with its inputs and options, policies pretty-printed
// with their size against the AWS limit, then the outputs and a size summary.
func (p *Plan) WriteText(w io.Writer, stack string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Stack %s: what `pulumi up --stack %s` would do\n", stack, stack)
	fmt.Fprintf(&b, "(offline plan: the program ran under Pulumi's mock monitor; ARNs and IDs are synthesised for the stack's account and Region)\n\n")
	depth := map[string]int{}
	for _, s := range p.Steps {
		d := 0
		if pd, ok := depth[s.NewState.Parent]; ok {
			d = pd + 1
		}
		depth[s.URN] = d
		indent := strings.Repeat("    ", d)
		mark := "+"
		if s.Op == "read" {
			mark = "<="
		}
		fmt.Fprintf(&b, "%s%s %s %s%s\n", indent, mark, s.NewState.Type, s.Name(), options(s))
		writeInputs(&b, s, indent+"      ")
	}
	b.WriteString("\nOutputs:\n")
	for _, name := range sortedKeys(p.Outputs) {
		v, _ := json.Marshal(p.Outputs[name])
		fmt.Fprintf(&b, "    %s: %s\n", name, v)
	}
	if policies := p.Policies(); len(policies) > 0 {
		b.WriteString("\nPolicy sizes (minified, against the AWS limit):\n")
		width := 0
		for _, pol := range policies {
			width = max(width, len(pol.Resource))
		}
		for _, pol := range policies {
			fmt.Fprintf(&b, "    %-*s  %-24s %6d of %6d bytes (%4.1f%%)\n", width, pol.Resource, pol.Label, pol.Bytes(), pol.Limit,
				100*float64(pol.Bytes())/float64(pol.Limit))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func options(s Step) string {
	var opts []string
	if s.NewState.Protect {
		opts = append(opts, "protect")
	}
	if s.NewState.RetainOnDelete {
		opts = append(opts, "retainOnDelete")
	}
	if len(opts) == 0 {
		return ""
	}
	return "  [" + strings.Join(opts, ", ") + "]"
}

func writeInputs(b *strings.Builder, s Step, indent string) {
	prop, hasPolicy := policyProperty(s.NewState.Type)
	for _, k := range sortedKeys(s.NewState.Inputs) {
		v := s.NewState.Inputs[k]
		if doc, ok := v.(string); ok && hasPolicy && k == prop.Property {
			fmt.Fprintf(b, "%s%s: %s, %d of %d bytes\n", indent, k, prop.Label, len(doc), prop.Limit)
			b.WriteString(indentLines(prettyJSON(doc), indent+"    "))
			continue
		}
		fmt.Fprintf(b, "%s%s: %s", indent, k, strings.TrimPrefix(indentLines(prettyValue(v), indent), indent))
	}
	if deps := s.NewState.Dependencies; len(deps) > 0 {
		names := make([]string, len(deps))
		for i, d := range deps {
			names[i] = d[strings.LastIndex(d, "::")+2:]
		}
		sort.Strings(names)
		fmt.Fprintf(b, "%sdependsOn: %s\n", indent, strings.Join(names, ", "))
	}
}

func prettyJSON(s string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return s
	}
	return buf.String()
}

func prettyValue(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimRight(buf.String(), "\n")
}

func indentLines(s, indent string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = indent + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
