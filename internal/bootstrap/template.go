// Package bootstrap generates the CloudFormation templates that give every account of a fleet the roles
// GitHub Actions assumes: the member template (the GitHub OIDC provider, the preview role, the deploy role
// with its deployer policy and the permissions boundary it cannot remove, and that boundary), and the
// StackSet template that deploys it to OUs with service-managed permissions and auto-deployment, so an
// account that joins an OU gets its roles without a person (SS1).
package bootstrap

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Template is a CloudFormation template. Values are JSON trees: intrinsic functions are objects such as
// {"Fn::Sub": "..."} or {"Ref": "..."}.
type Template struct {
	AWSTemplateFormatVersion string               `json:"AWSTemplateFormatVersion"`
	Description              string               `json:"Description"`
	Parameters               map[string]Parameter `json:"Parameters,omitempty"`
	Conditions               map[string]any       `json:"Conditions,omitempty"`
	Resources                map[string]Resource  `json:"Resources"`
	Outputs                  map[string]Output    `json:"Outputs,omitempty"`
}

// Parameter is a template parameter.
type Parameter struct {
	Type          string   `json:"Type"`
	Default       string   `json:"Default,omitempty"`
	AllowedValues []string `json:"AllowedValues,omitempty"`
	Description   string   `json:"Description"`
}

// Resource is a template resource.
type Resource struct {
	Type       string         `json:"Type"`
	Condition  string         `json:"Condition,omitempty"`
	DependsOn  []string       `json:"DependsOn,omitempty"`
	Properties map[string]any `json:"Properties"`
}

// Output is a template output.
type Output struct {
	Description string `json:"Description"`
	Condition   string `json:"Condition,omitempty"`
	Value       any    `json:"Value"`
}

// JSON renders the template; indent is for a file a person reads, the compact form for a TemplateBody.
func (t Template) JSON(indent bool) ([]byte, error) {
	if indent {
		return json.MarshalIndent(t, "", "  ")
	}
	return json.Marshal(t)
}

// ParseTemplate reads a rendered template back, for tests and reviews.
func ParseTemplate(b []byte) (Template, error) {
	var t Template
	err := json.Unmarshal(b, &t)
	return t, err
}

// cfn turns a policy document (any JSON-able value) into a template value: every string that names
// ${AWS::AccountId} or ${AWS::Partition} becomes an Fn::Sub, and in such a string an IAM policy variable
// (${aws:username}) is escaped as ${!aws:username} so Fn::Sub leaves it to IAM.
func cfn(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, err
	}
	return sub(tree), nil
}

func sub(v any) any {
	switch x := v.(type) {
	case string:
		if !strings.Contains(x, "${AWS::") {
			return x
		}
		escaped := strings.ReplaceAll(x, "${", "${!")
		escaped = strings.ReplaceAll(escaped, "${!AWS::", "${AWS::")
		return map[string]any{"Fn::Sub": escaped}
	case []any:
		for i := range x {
			x[i] = sub(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = sub(x[k])
		}
	}
	return v
}

// placeAccount replaces the sample account a deployer policy was generated for with ${AWS::AccountId},
// and the partition of its ARNs with ${AWS::Partition}, so one document serves every account.
func placeAccount(doc any, account string) (any, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	s := string(b)
	if account != "" {
		s = strings.ReplaceAll(s, ":"+account+":", ":${AWS::AccountId}:")
		s = strings.ReplaceAll(s, account, "${AWS::AccountId}") // in bucket names made of the account ID
	}
	for _, p := range []string{"aws", "aws-cn", "aws-us-gov"} {
		s = strings.ReplaceAll(s, `"arn:`+p+`:`, `"arn:${AWS::Partition}:`)
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("placing the account into a policy: %w", err)
	}
	return out, nil
}
