package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Location is the account, Region and partition a resource is created in.
type Location struct {
	Partition, Region, Account string
}

// Inputs are a resource's inputs as plain Go values (Pulumi property names).
type Inputs map[string]any

// Str is the string input k, or "".
func (in Inputs) Str(k string) string {
	s, _ := in[k].(string)
	return s
}

// Identity is what AWS, as pulumi-aws reports it, assigns to a new resource: its ID and its computed
// outputs. The offline plan's mocks and the engine test's fake provider both answer with it, so the ARNs a
// policy embeds read the same in both, and as in AWS.
type Identity struct {
	// ID is the new resource's ID. name is its Pulumi resource name; unique is at least 32 hex digits the
	// caller chooses for whatever AWS or Pulumi picks at random (a key's UUID, an autonamed resource's
	// suffix): a hash of the name in the offline plan, so a plan reads the same every run, random in the
	// fake provider, as in AWS.
	ID func(at Location, in Inputs, name, unique string) string
	// Outputs are the computed properties, from the ID and the inputs alone, so that a fake provider's
	// Create, Update and Read agree. nil: none beyond the inputs.
	Outputs func(at Location, id string, in Inputs) map[string]any
}

// NewID is the ID a new resource of type t gets (see Identity.ID).
func NewID(t Type, at Location, in Inputs, name, unique string) string {
	if id := entries[t].Identity.ID; id != nil {
		return id(at, in, name, unique)
	}
	return byName(at, in, name, unique)
}

// Outputs are the computed outputs of a resource of type t with this ID (see Identity.Outputs).
func Outputs(t Type, at Location, id string, in Inputs) map[string]any {
	if out := entries[t].Identity.Outputs; out != nil {
		return out(at, id, in)
	}
	return map[string]any{}
}

// autoname is the name Pulumi gives a resource whose name input is unset: the resource name, a dash and
// seven random hex digits.
func autoname(name, unique string) string { return name + "-" + unique[:7] }

// byName identifies a resource by its name input (alarms, aliases), or its autoname.
func byName(_ Location, in Inputs, name, unique string) string {
	if n := in.Str("name"); n != "" {
		return n
	}
	return autoname(name, unique)
}

// byBucket identifies a bucket sub-resource by its bucket, and "bucket,owner" when it names the expected
// owner (the Terraform provider's ID, by which it also imports).
func byBucket(_ Location, in Inputs, _, _ string) string {
	if o := in.Str("expectedBucketOwner"); o != "" {
		return in.Str("bucket") + "," + o
	}
	return in.Str("bucket")
}

func (at Location) arn(service, account, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", at.Partition, service, at.Region, account, resource)
}

// pathOf is an IAM path input, "/" when unset.
func pathOf(in Inputs) string {
	if p := in.Str("path"); p != "" {
		return p
	}
	return "/"
}

// uniqueID is an IAM unique ID (AROA..., ANPA...): 4 letters and 17 characters, stable for the entity.
func uniqueID(prefix, of string) string {
	sum := sha256.Sum256([]byte(of))
	return prefix + strings.ToUpper(hex.EncodeToString(sum[:]))[:17]
}

// keyUUID is a UUID-shaped KMS key ID made of unique's digits.
func keyUUID(unique string) string {
	h := unique
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

var (
	kmsKeyIdentity = Identity{
		ID: func(_ Location, _ Inputs, _, unique string) string { return keyUUID(unique) },
		Outputs: func(at Location, id string, _ Inputs) map[string]any {
			return map[string]any{"keyId": id, "arn": at.arn("kms", at.Account, "key/"+id)}
		},
	}
	kmsAliasIdentity = Identity{
		ID: byName,
		Outputs: func(at Location, id string, in Inputs) map[string]any {
			out := map[string]any{"arn": at.arn("kms", at.Account, id)}
			if k := in.Str("targetKeyId"); k != "" {
				out["targetKeyArn"] = at.arn("kms", at.Account, "key/"+k)
			}
			return out
		},
	}
	s3BucketIdentity = Identity{
		ID: func(_ Location, in Inputs, name, unique string) string {
			if b := in.Str("bucket"); b != "" {
				return b
			}
			return autoname(name, unique)
		},
		Outputs: func(at Location, id string, _ Inputs) map[string]any {
			return map[string]any{
				"arn":                      fmt.Sprintf("arn:%s:s3:::%s", at.Partition, id),
				"bucket":                   id,
				"bucketDomainName":         id + ".s3.amazonaws.com",
				"bucketRegionalDomainName": fmt.Sprintf("%s.s3.%s.amazonaws.com", id, at.Region),
				"region":                   at.Region,
			}
		},
	}
	s3PartIdentity  = Identity{ID: byBucket}
	iamRoleIdentity = Identity{
		ID: byName,
		Outputs: func(at Location, id string, in Inputs) map[string]any {
			path := pathOf(in)
			return map[string]any{
				"name":     id,
				"path":     path,
				"arn":      fmt.Sprintf("arn:%s:iam::%s:role%s%s", at.Partition, at.Account, path, id),
				"uniqueId": uniqueID("AROA", at.Account+path+id),
			}
		},
	}
	// pulumi-aws IDs a managed policy by its ARN.
	iamPolicyIdentity = Identity{
		ID: func(at Location, in Inputs, name, unique string) string {
			return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", at.Partition, at.Account, pathOf(in), byName(at, in, name, unique))
		},
		Outputs: func(at Location, id string, _ Inputs) map[string]any {
			return map[string]any{"arn": id, "name": id[strings.LastIndex(id, "/")+1:], "policyId": uniqueID("ANPA", id)}
		},
	}
	iamRolePolicyIdentity = Identity{ID: func(_ Location, in Inputs, _, _ string) string {
		return in.Str("role") + ":" + in.Str("name")
	}}
	iamAttachmentIdentity = Identity{ID: func(_ Location, in Inputs, _, _ string) string {
		return in.Str("role") + "/" + in.Str("policyArn")
	}}
	// pulumi-aws IDs a topic by its ARN.
	snsTopicIdentity = Identity{
		ID: func(at Location, in Inputs, name, unique string) string {
			return at.arn("sns", at.Account, byName(at, in, name, unique))
		},
		Outputs: func(_ Location, id string, _ Inputs) map[string]any {
			return map[string]any{"arn": id, "name": id[strings.LastIndex(id, ":")+1:]}
		},
	}
	snsTopicPolicyIdentity = Identity{ID: func(_ Location, in Inputs, _, _ string) string { return in.Str("arn") }}
	// pulumi-aws IDs a sink and a link by their ARNs, which end in an ID AWS assigns (a UUID).
	oamSinkIdentity = Identity{
		ID: func(at Location, _ Inputs, _, unique string) string {
			return at.arn("oam", at.Account, "sink/"+keyUUID(unique))
		},
		Outputs: func(_ Location, id string, _ Inputs) map[string]any {
			return map[string]any{"arn": id, "sinkId": id[strings.LastIndex(id, "/")+1:]}
		},
	}
	oamLinkIdentity = Identity{
		ID: func(at Location, _ Inputs, _, unique string) string {
			return at.arn("oam", at.Account, "link/"+keyUUID(unique))
		},
		Outputs: func(at Location, id string, in Inputs) map[string]any {
			return map[string]any{"arn": id, "linkId": id[strings.LastIndex(id, "/")+1:], "label": at.Account, "sinkArn": in.Str("sinkIdentifier")}
		},
	}
	// A dashboard is IDed by its name; its ARN has no Region.
	cloudWatchDashboardIdentity = Identity{
		ID: func(_ Location, in Inputs, _, _ string) string { return in.Str("dashboardName") },
		Outputs: func(at Location, id string, _ Inputs) map[string]any {
			return map[string]any{"dashboardArn": fmt.Sprintf("arn:%s:cloudwatch::%s:dashboard/%s", at.Partition, at.Account, id)}
		},
	}
	// The engine refers to a provider as URN::ID; an ID that says the Region reads well in a plan.
	providerIdentity = Identity{ID: func(_ Location, in Inputs, _, unique string) string {
		return in.Str("region") + "-" + unique[:8]
	}}
)
