// Package policy is the IAM policy grammar the program writes (bucket, key, trust, role, topic and sink
// policies, and the deployer's managed policies): the document types, their JSON exactly as AWS stores it,
// parsing, and the size limits.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Document is an IAM-grammar policy (bucket, key, trust and role policies share it). It is a typed
// value rather than the iam.GetPolicyDocument invoke so that tests and the offline plan read the exact
// JSON that AWS receives.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Principal is nil for identity policies (role policies).
type Statement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    Strings    `json:"Action"`
	Resource  Strings    `json:"Resource,omitempty"`
	// NotResource is every resource but these (a Deny of all but the named ones).
	NotResource Strings    `json:"NotResource,omitempty"`
	Condition   Conditions `json:"Condition,omitempty"`
}

// Principal is either "*" (Everyone) or a map such as {"AWS": [...]}, {"Service": "..."} or
// {"Federated": "<OIDC provider ARN>"} (a role trusted through web identity federation).
type Principal struct {
	Everyone  bool
	AWS       Strings
	Service   Strings
	Federated Strings
}

// Conditions maps an operator (StringEquals, ArnLike, Bool, ...) to condition keys and their values.
// encoding/json sorts map keys, so the rendered document is deterministic.
type Conditions map[string]map[string]Strings

// Strings renders as a JSON string when it holds one value and as an array otherwise, the way AWS
// normalises policies; a diff between what we send and what AWS stores stays empty.
type Strings []string

// Version is the policy language version every document states.
const Version = "2012-10-17"

// Policy size limits AWS enforces, in characters of the minified document (IAM counts no whitespace).
// Each is defined here alone: the resource-type catalogue, the components and the deployer policy use them.
const (
	BucketPolicyLimit     = 20480 // R2.9
	KeyPolicyLimit        = 32768 // R3.5
	RoleInlinePolicyLimit = 10240 // all inline policies of a role together
	TrustPolicyLimit      = 2048  // IAM default quota for a role trust policy
	TopicPolicyLimit      = 30720 // SNS: a topic's Policy attribute, at most 30 KB
	// SinkPolicyLimit is a budget of our own: no AWS page found states a maximum for PutSinkPolicy's
	// Policy (M2). The sink policy names the same accounts as the archive's bucket policy, in fewer
	// characters per account, so any archive whose bucket policy fits (R2.9) fits this budget too.
	SinkPolicyLimit    = BucketPolicyLimit
	ManagedPolicyLimit = 6144 // an IAM customer managed policy (IAM counts it without whitespace)
)

func (s Strings) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return MarshalNoEscape(s[0])
	}
	return MarshalNoEscape([]string(s))
}

func (s *Strings) UnmarshalJSON(b []byte) error {
	if string(b) == "null" { // what a nil Strings renders as
		*s = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("policy value must be a string or a list of strings: %w", err)
	}
	*s = many
	return nil
}

func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Everyone {
		return []byte(`"*"`), nil
	}
	m := map[string]Strings{}
	if len(p.AWS) > 0 {
		m["AWS"] = p.AWS
	}
	if len(p.Service) > 0 {
		m["Service"] = p.Service
	}
	if len(p.Federated) > 0 {
		m["Federated"] = p.Federated
	}
	return MarshalNoEscape(m)
}

func (p *Principal) UnmarshalJSON(b []byte) error {
	if string(b) == `"*"` {
		*p = Principal{Everyone: true}
		return nil
	}
	var m struct {
		AWS       Strings `json:"AWS"`
		Service   Strings `json:"Service"`
		Federated Strings `json:"Federated"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("policy principal: %w", err)
	}
	*p = Principal{AWS: m.AWS, Service: m.Service, Federated: m.Federated}
	return nil
}

// JSON is the minified document, exactly as it is sent to AWS.
func (d Document) JSON() (string, error) {
	b, err := MarshalNoEscape(d)
	if err != nil {
		return "", fmt.Errorf("rendering policy document: %w", err)
	}
	return string(b), nil
}

// Size is the length of the minified document, the figure AWS compares with its limits.
func (d Document) Size() int {
	s, err := d.JSON()
	if err != nil {
		return 0
	}
	return len(s)
}

// StatementBySid returns the statement with that Sid, for tests and reviews.
func (d Document) StatementBySid(sid string) (Statement, bool) {
	for _, s := range d.Statement {
		if s.Sid == sid {
			return s, true
		}
	}
	return Statement{}, false
}

// Parse reads a rendered document back, so tests can assert on what the mock received.
func Parse(s string) (Document, error) {
	var d Document
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Document{}, fmt.Errorf("parsing policy document: %w", err)
	}
	return d, nil
}

// MarshalNoEscape is json.Marshal without HTML escaping: AWS stores "<", ">" and "&" literally.
func MarshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// CheckSize returns an error naming the document, its size and the AWS limit.
func CheckSize(what string, d Document, limit int, hint string) error {
	if n := d.Size(); n > limit {
		return fmt.Errorf("%s is %d bytes, over the AWS limit of %d bytes: %s", what, n, limit, hint)
	}
	return nil
}
