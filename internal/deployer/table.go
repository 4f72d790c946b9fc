package deployer

import (
	"fmt"
	"strings"

	"log-archive/internal/catalog"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
)

// The actions per resource type are the resource-type catalogue's (internal/catalog, Info.Deployer): this
// file turns each grant's scope and condition into the ARNs and Condition block of one registered resource.

// Env is where the stack deploys: ARNs are built from it.
type Env struct {
	Partition, Region, Account string
	// Regions is Region and the Region of every other AWS provider the plan registers.
	Regions []string
	// ProviderRegions maps an explicit provider's URN to its Region: a resource created through it (its
	// Provider reference is URN::ID) is in that Region.
	ProviderRegions map[string]string
	// ByURN is every resource of the plan, for a resource that names another only by dependency.
	ByURN map[string]plan.Step
	// Roles maps role names to role ARNs for the roles the plan creates, so a RolePolicy (which names its
	// role) is scoped to the role's ARN with its path.
	Roles map[string]string
	// Aliases is every KMS alias the plan creates: the keys that carry one are the stack's (D5).
	Aliases []string
}

// scopes builds the ARNs of each catalogue scope for one registered resource; nil means the grant does not
// apply to it.
var scopes = map[catalog.Scope]func(e Env, s plan.Step) []string{
	catalog.OnAnyResource:      func(Env, plan.Step) []string { return []string{"*"} },
	catalog.OnBucket:           bucketARN,
	catalog.OnBucketAndObjects: objectsARN,
	catalog.OnStackKeys:        keyARNs,
	catalog.OnAliasAndKeys: func(e Env, s plan.Step) []string {
		return append(e.regional(s, "kms", str(s, "name")), keyARNs(e, s)...)
	},
	catalog.OnRole:          func(e Env, s plan.Step) []string { return []string{e.roleARN(s)} },
	catalog.OnRoleInput:     func(e Env, s plan.Step) []string { return []string{e.roleOf(str(s, "role"))} },
	catalog.OnManagedPolicy: func(e Env, s plan.Step) []string { return []string{e.policyARN(s)} },
	catalog.OnTopic:         func(e Env, s plan.Step) []string { return e.regional(s, "sns", named(s, "name")) },
	catalog.OnPolicyTopic: func(e Env, s plan.Step) []string {
		if arn := str(s, "arn"); arn != "" {
			return []string{arn}
		}
		var out []string // the topic's ARN is computed: the topic it depends on
		for _, t := range e.dependencies(s, catalog.SNSTopic) {
			out = append(out, e.regional(t, "sns", named(t, "name"))...)
		}
		return out
	},
	catalog.OnAlarm: func(e Env, s plan.Step) []string { return e.regional(s, "cloudwatch", "alarm:"+named(s, "name")) },
	catalog.OnSink:  func(e Env, s plan.Step) []string { return e.regional(s, "oam", "sink/*") },
	catalog.OnLink: func(e Env, s plan.Step) []string {
		return append(e.regional(s, "oam", "link/*"), nonEmpty(str(s, "sinkIdentifier"))...)
	},
	catalog.OnDashboard: func(e Env, s plan.Step) []string {
		return nonEmpty(e.arn("cloudwatch", "", e.Account, "dashboard/"+named(s, "dashboardName")))
	},
}

// conditions renders each catalogue condition for one registered resource.
var conditions = map[catalog.Condition]func(e Env, s plan.Step) policy.Conditions{
	catalog.IfPassedToS3: func(Env, plan.Step) policy.Conditions {
		return policy.Conditions{"StringEquals": {"iam:PassedToService": {"s3.amazonaws.com"}}}
	},
	catalog.IfKeyLikePlan: createKeyCondition,
	// D4: exactly the plan's tag keys, each with the plan's value.
	catalog.IfPlanTags: func(_ Env, s plan.Step) policy.Conditions {
		tags, _ := s.NewState.Inputs["tags"].(map[string]any)
		eq := map[string]policy.Strings{}
		for k, v := range tags {
			eq["aws:RequestTag/"+k] = policy.Strings{fmt.Sprint(v)}
		}
		return policy.Conditions{"ForAllValues:StringEquals": {"aws:TagKeys": tagKeys(s)}, "StringEquals": eq}
	},
	// D5: keys that carry one of the plan's aliases.
	catalog.IfStackKeyAliases: func(e Env, _ plan.Step) policy.Conditions {
		return policy.Conditions{"ForAnyValue:StringEquals": {"kms:ResourceAliases": e.Aliases}}
	},
	// D7: only the managed policies the plan creates may be attached.
	catalog.IfAttachesPlanPolicy: func(e Env, s plan.Step) policy.Conditions {
		var arns []string
		for _, p := range e.dependencies(s, catalog.IAMPolicy) {
			arns = append(arns, e.policyARN(p))
		}
		if len(arns) == 0 {
			arns = nonEmpty(str(s, "policyArn"))
		}
		return policy.Conditions{"ArnLike": {"iam:PolicyARN": arns}}
	},
}

func (e Env) arn(service, region, account, resource string) string {
	if resource == "" {
		return ""
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition, service, region, account, resource)
}

// dependencies are the resources of type t that s depends on.
func (e Env) dependencies(s plan.Step, t catalog.Type) []plan.Step {
	var out []plan.Step
	for _, d := range s.NewState.Dependencies {
		if dep, ok := e.ByURN[d]; ok && dep.NewState.Type == string(t) {
			out = append(out, dep)
		}
	}
	return out
}

// bucketARN is the bucket a resource names (input "bucket"), or for an auto-named bucket every name Pulumi
// may choose for it.
func bucketARN(e Env, s plan.Step) []string {
	b := str(s, "bucket")
	if b == "" && s.NewState.Type == string(catalog.S3Bucket) {
		b = s.Name() + "-*"
	}
	if b == "" {
		return nil
	}
	return []string{fmt.Sprintf("arn:%s:s3:::%s", e.Partition, b)}
}

func objectsARN(e Env, s plan.Step) []string {
	b := bucketARN(e, s)
	if len(b) == 0 {
		return nil
	}
	return []string{b[0], b[0] + "/*"}
}

// keyARNs is every KMS key of the stack's account in the resource's Region: a key's ID is chosen by AWS
// when it is created, so the plan cannot name it.
func keyARNs(e Env, s plan.Step) []string {
	return e.regional(s, "kms", "key/*")
}

// regional is resource's ARN in the Region s is created in: its explicit provider's, or the stack's.
func (e Env) regional(s plan.Step, service, resource string) []string {
	region := e.Region
	if i := strings.LastIndex(s.NewState.Provider, "::"); i > 0 {
		if r, ok := e.ProviderRegions[s.NewState.Provider[:i]]; ok {
			region = r
		}
	}
	return nonEmpty(e.arn(service, region, e.Account, resource))
}

// roleARN is the role's ARN from its path and name; an auto-named role is any name Pulumi may choose.
func (e Env) roleARN(s plan.Step) string {
	path := str(s, "path")
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", e.Partition, e.Account, path, named(s, "name"))
}

// roleOf is the ARN of the role a resource names: a role of the plan (by name, or an auto-named one by
// the name the mock chose), a role ARN, or any role of that name.
func (e Env) roleOf(role string) string {
	if arn, ok := e.Roles[role]; ok {
		return arn
	}
	for name, arn := range e.Roles {
		if prefix, auto := strings.CutSuffix(name, "*"); auto && strings.HasPrefix(role, prefix) {
			return arn
		}
	}
	if strings.HasPrefix(role, "arn:") {
		return role
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/*%s", e.Partition, e.Account, role)
}

// policyARN is a managed policy's ARN from its path and name; an auto-named policy is any name Pulumi may
// choose.
func (e Env) policyARN(s plan.Step) string {
	path := str(s, "path")
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", e.Partition, e.Account, path, named(s, "name"))
}

// createKeyCondition narrows kms:CreateKey to keys like the ones the plan creates, and refuses the policy
// lockout bypass (D3).
func createKeyCondition(_ Env, s plan.Step) policy.Conditions {
	eq := map[string]policy.Strings{"kms:KeyOrigin": {"AWS_KMS"}}
	if v := str(s, "customerMasterKeySpec"); v != "" {
		eq["kms:KeySpec"] = policy.Strings{v}
	}
	if v := str(s, "keySpec"); v != "" {
		eq["kms:KeySpec"] = policy.Strings{v}
	}
	if v := str(s, "keyUsage"); v != "" {
		eq["kms:KeyUsage"] = policy.Strings{v}
	}
	if str(s, "customKeyStoreId") != "" || str(s, "xksKeyId") != "" {
		delete(eq, "kms:KeyOrigin")
	}
	multi, _ := s.NewState.Inputs["multiRegion"].(bool)
	bypass, _ := s.NewState.Inputs["bypassPolicyLockoutSafetyCheck"].(bool)
	return policy.Conditions{
		"StringEquals": eq,
		"Bool":         {"kms:MultiRegion": {fmt.Sprint(multi)}, "kms:BypassPolicyLockoutSafetyCheck": {fmt.Sprint(bypass)}},
	}
}

func tagKeys(s plan.Step) []string {
	tags, _ := s.NewState.Inputs["tags"].(map[string]any)
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	return sortedSet(keys)
}

// isSet reports whether input k is true or a non-empty string, list or map.
func isSet(s plan.Step, k string) bool {
	switch v := s.NewState.Inputs[k].(type) {
	case bool:
		return v
	case string:
		return v != ""
	case map[string]any:
		return len(v) > 0
	case []any:
		return len(v) > 0
	}
	return false
}

func str(s plan.Step, key string) string {
	v, _ := s.NewState.Inputs[key].(string)
	return v
}

// named is the resource's name input, or for an auto-named resource the pattern of names Pulumi chooses:
// the resource name, a dash and random characters.
func named(s plan.Step, key string) string {
	if v := str(s, key); v != "" {
		return v
	}
	return s.Name() + "-*"
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
