package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"log-archive/internal/awsid"
)

// Error is what is wrong with one stack's outputs. Each reader words Missing in its own terms (a source
// stack says which stack to deploy first; verify asks whether these are a log-archive stack's outputs).
type Error struct {
	Stack string // "archive" or "source"
	// Missing lists the required outputs the stack does not have; None is true when it has none of them
	// (not deployed, or not a log-archive stack of that kind).
	Missing []string
	None    bool
	// Version is the contract version the archive publishes, when it is not Version.
	Version any
	// Problems are malformed values, each naming its output.
	Problems []string
}

func (e *Error) Error() string {
	var parts []string
	if e.Version != nil {
		parts = append(parts, e.VersionProblem())
	}
	for _, name := range e.Missing {
		parts = append(parts, fmt.Sprintf("the %s stack's outputs list no %s", e.Stack, name))
	}
	parts = append(parts, e.Problems...)
	return strings.Join(parts, "; ")
}

// VersionProblem says which contract versions disagree.
func (e *Error) VersionProblem() string {
	return fmt.Sprintf("the archive publishes contract version %v; this program reads version %d", e.Version, Version)
}

func (e *Error) problem(format string, args ...any) {
	e.Problems = append(e.Problems, fmt.Sprintf("the %s stack's output ", e.Stack)+fmt.Sprintf(format, args...))
}

func (e *Error) orNil() error {
	if e.Version == nil && len(e.Missing) == 0 && len(e.Problems) == 0 {
		return nil
	}
	return e
}

// ParseArchive reads an archive stack's outputs (as JSON decodes them) and checks them: a malformed
// contract must never reach a source stack's policy or replication rule.
func ParseArchive(values map[string]any) (ArchiveOutputs, error) {
	var a ArchiveOutputs
	e := &Error{Stack: "archive"}
	if v, ok := values[NameOf(&a, &a.ContractVersion)]; ok && v != nil {
		// A version this program does not know may mean anything: nothing else is read.
		if n, ok := v.(float64); !ok || n != Version {
			if n, ok := v.(int); !ok || n != Version {
				e.Version = v
				return a, e
			}
		}
	}
	decode(&a, values, e)
	if e.orNil() != nil {
		return a, e
	}
	for _, c := range []struct {
		name string
		err  error
	}{
		{NameOf(&a, &a.AccountID), awsid.ValidateAccountID(a.AccountID)},
		{NameOf(&a, &a.Region), awsid.ValidateRegion(a.Region)},
		{NameOf(&a, &a.BucketName), awsid.ValidateBucketName(a.BucketName)},
		{NameOf(&a, &a.ReplicationRoleName), awsid.ValidateRoleName(a.ReplicationRoleName)},
		{NameOf(&a, &a.ReplicationRolePath), awsid.ValidateRolePath(a.ReplicationRolePath)},
	} {
		if c.err != nil {
			e.problem("%s: %v", c.name, c.err)
		}
	}
	if e.orNil() != nil {
		return a, e
	}
	// R4.9: replicas encrypted under an alias or a key outside the archive account are unreadable there.
	if err := awsid.ValidateKMSKeyArn(a.KeyArn, a.AccountID, a.Region); err != nil {
		e.problem("%s must be the full ARN of a key in the archive account and Region (R4.9): %v", NameOf(&a, &a.KeyArn), err)
	}
	if want := awsid.BucketArn(a.Region, a.BucketName); a.BucketArn != want {
		e.problem("%s is %q, but the bucket %s has the ARN %s", NameOf(&a, &a.BucketArn), a.BucketArn, a.BucketName, want)
	}
	if a.SourceOrganizationID != "" {
		if err := awsid.ValidateOrganizationID(a.SourceOrganizationID); err != nil {
			e.problem("%s is malformed: %v", NameOf(&a, &a.SourceOrganizationID), err)
		}
	}
	return a, e.orNil()
}

// ParseSource reads a source stack's outputs (as JSON decodes them) and checks them.
func ParseSource(values map[string]any) (SourceOutputs, error) {
	var s SourceOutputs
	e := &Error{Stack: "source"}
	decode(&s, values, e)
	// A source stack replicates at least one bucket: an empty list is outputs of something else.
	if buckets := NameOf(&s, &s.ReplicatedBuckets); len(s.ReplicatedBuckets) == 0 && !slices.Contains(e.Missing, buckets) && len(e.Problems) == 0 {
		e.Missing = append(e.Missing, buckets)
	}
	for _, role := range []*string{&s.ReplicationRoleArn, &s.BackfillRoleArn} {
		if *role != "" && !isRoleArn(*role) {
			e.problem("%s is %s, not an IAM role ARN", NameOf(&s, role), *role)
		}
	}
	for _, bucket := range slices.Sorted(maps.Keys(s.BucketRegions)) {
		if err := awsid.ValidateRegion(s.BucketRegions[bucket]); err != nil {
			e.problem("%s[%s]: %v", NameOf(&s, &s.BucketRegions), bucket, err)
		}
	}
	return s, e.orNil()
}

// decode fills out's fields from values, recording absent required outputs and values of the wrong type.
func decode[T Outputs](out *T, values map[string]any, e *Error) {
	rv := reflect.ValueOf(out).Elem()
	required := 0
	for _, f := range Fields[T]() {
		if f.Required {
			required++
		}
		v, ok := values[f.Name]
		if !ok || v == nil {
			if f.Required {
				e.Missing = append(e.Missing, f.Name)
			}
			continue
		}
		raw, err := json.Marshal(v)
		if err == nil {
			err = json.Unmarshal(raw, rv.Field(f.index).Addr().Interface())
		}
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			e.problem("%s has a field %s that is %s, not %s", f.Name, typeErr.Field, jsonKinds[typeErr.Value], describe(typeErr.Type))
		case err != nil:
			e.problem("%s is %s, not %s", f.Name, kindOf(v), f.Shape)
		}
	}
	e.None = required > 0 && len(e.Missing) == required
}

// jsonKinds names the JSON kinds encoding/json reports in kindOf's words.
var jsonKinds = map[string]string{"string": "a string", "number": "a number", "bool": "a bool", "array": "a list", "object": "a map"}

// isRoleArn says whether s is an IAM role ARN with an account: arn:aws:iam::222222222222:role/name.
func isRoleArn(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":role/") && AccountOf(s) != ""
}

// AccountOf is the account of an IAM ARN (arn:aws:iam::222222222222:role/name), or "".
func AccountOf(arn string) string {
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		return parts[4]
	}
	return ""
}
