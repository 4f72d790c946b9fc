package plan

import (
	"fmt"
	"strings"

	"log-archive/internal/catalog"
)

// ObjectNames maps each AWS object the plan's resources name, in the stack's account, to the URNs of the
// resources that name it ("SNS topic eu-west-1/log-archive-replication-alarms"). A resource's Region is
// its explicit provider's, or the stack's (stackRegion). What a type names is the catalogue's Names facet;
// it fails on a custom resource whose type the catalogue does not have.
func (p *Plan) ObjectNames(stackRegion string) (map[string][]string, error) {
	regions := map[string]string{} // provider URN -> its Region
	for _, s := range p.OfType(string(catalog.AWSProvider)) {
		if r, ok := s.NewState.Inputs["region"].(string); ok {
			regions[s.URN] = r
		}
	}
	out := map[string][]string{}
	var unknown []string
	for _, s := range p.Creates() {
		if !s.NewState.Custom {
			continue
		}
		info, ok := catalog.Of(catalog.Type(s.NewState.Type))
		named := info.Names
		if !ok || named.Object == "" {
			unknown = append(unknown, s.NewState.Type)
			continue
		}
		if len(named.Inputs) == 0 {
			continue
		}
		var parts []string
		for _, in := range named.Inputs {
			if v, ok := s.NewState.Inputs[in].(string); ok && v != "" {
				parts = append(parts, v)
			}
		}
		if len(parts) < len(named.Inputs) {
			continue // named by Pulumi
		}
		name := strings.Join(parts, ":")
		switch named.Scope {
		case catalog.ScopeRegion:
			region := stackRegion
			if ref := s.NewState.Provider; ref != "" {
				r, ok := regions[ref[:strings.LastIndex(ref, "::")]]
				if !ok {
					return nil, fmt.Errorf("%s: provider %s is not in the plan", s.URN, ref)
				}
				region = r
			}
			name = region + "/" + name
		case catalog.ScopeAccount:
			name = "iam/" + name
		}
		key := named.Object + " " + name
		out[key] = append(out[key], s.URN)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("resource types the catalogue (internal/catalog) does not say the AWS object of (give them a Names facet: which inputs name the object and where the name is unique): %s", strings.Join(unknown, ", "))
	}
	return out, nil
}
