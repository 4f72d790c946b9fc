package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const stackReferenceType = "pulumi:pulumi:StackReference"

// mocks answers Pulumi's mock monitor the way AWS would: computed values (ARNs, key IDs, role IDs) carry
// the stack's real account, Region and partition, so policies that embed them read as they will in AWS.
// It records every registration as a plan step.
type mocks struct {
	project, stack string
	account        string
	region         string
	partition      string
	references     map[string]map[string]any // StackReference name -> the referenced stack's outputs

	mu    sync.Mutex
	steps []Step
	// providerRegions maps an explicit aws provider's reference (URN::ID) to its Region: what it creates
	// is in that Region, not the stack's.
	providerRegions map[string]string
}

const awsProviderType = "pulumi:providers:aws"

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	// The program makes no invokes; one appearing here is a change worth failing on.
	return nil, fmt.Errorf("unexpected invoke %s: the offline plan answers no provider functions", args.Token)
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.ReadRPC != nil {
		return m.read(args)
	}
	rpc := args.RegisterRPC
	region := m.regionOf(args.Provider)
	id, computed := m.computed(args.TypeToken, args.Name, args.Inputs, region)
	state := args.Inputs.Copy()
	for k, v := range resource.NewPropertyMapFromMap(computed) {
		state[k] = v
	}
	deps := append([]string{}, rpc.GetDependencies()...)
	sort.Strings(deps)
	urn := m.urn(rpc.GetParent(), args.TypeToken, args.Name)
	if args.TypeToken == awsProviderType {
		if v, ok := args.Inputs["region"]; ok && v.IsString() {
			m.mu.Lock()
			if m.providerRegions == nil {
				m.providerRegions = map[string]string{}
			}
			m.providerRegions[urn+"::"+id] = v.StringValue()
			m.mu.Unlock()
		}
	}
	m.record(Step{
		Op:  "create",
		URN: urn,
		NewState: State{
			Type:           args.TypeToken,
			Custom:         args.Custom,
			Inputs:         plain(args.Inputs),
			Parent:         rpc.GetParent(),
			Protect:        rpc.GetProtect(),
			RetainOnDelete: rpc.GetRetainOnDelete(),
			Dependencies:   deps,
			IgnoreChanges:  rpc.GetIgnoreChanges(),
			ImportID:       rpc.GetImportId(),
			Provider:       rpc.GetProvider(),
		},
	})
	if !args.Custom {
		return "", args.Inputs, nil
	}
	return id, state, nil
}

// read answers a StackReference with the referenced stack's outputs; an unknown stack has none, as a
// stack that was never deployed.
func (m *mocks) read(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.TypeToken != stackReferenceType {
		return "", nil, fmt.Errorf("unexpected read of %s %s", args.TypeToken, args.Name)
	}
	m.record(Step{
		Op:  "read",
		URN: m.urn(args.ReadRPC.GetParent(), args.TypeToken, args.Name),
		NewState: State{
			Type:         args.TypeToken,
			Inputs:       map[string]any{"name": args.ID},
			Parent:       args.ReadRPC.GetParent(),
			Dependencies: []string{},
		},
	})
	outputs := m.references[args.ID]
	if outputs == nil {
		outputs = map[string]any{}
	}
	return args.ID, resource.NewPropertyMapFromMap(map[string]any{
		"name":    args.ID,
		"outputs": outputs,
	}), nil
}

func (m *mocks) record(s Step) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.steps = append(m.steps, s)
}

// urn is the URN the mock monitor gives a resource (the same rule as its newURN).
func (m *mocks) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType, tokens.Type(typ), name))
}

// regionOf is the Region a resource is created in: its explicit provider's, or the stack's.
func (m *mocks) regionOf(provider string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.providerRegions[provider]; ok {
		return r
	}
	return m.region
}

// computed returns the ID and the output properties AWS would assign to a resource in region.
func (m *mocks) computed(typ, name string, in resource.PropertyMap, region string) (string, map[string]any) {
	str := func(k string) string {
		if v, ok := in[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	arnOf := func(service, account, res string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", m.partition, service, region, account, res)
	}
	switch typ {
	case "aws:kms/key:Key":
		keyID := m.uuid(name)
		return keyID, map[string]any{"keyId": keyID, "arn": arnOf("kms", m.account, "key/"+keyID), "multiRegion": false}
	case "aws:kms/alias:Alias":
		alias := str("name")
		return alias, map[string]any{
			"arn":          arnOf("kms", m.account, alias),
			"targetKeyArn": arnOf("kms", m.account, "key/"+str("targetKeyId")),
		}
	case "aws:s3/bucketV2:BucketV2":
		bucket := str("bucket")
		return bucket, map[string]any{
			"arn":                      fmt.Sprintf("arn:%s:s3:::%s", m.partition, bucket),
			"bucketDomainName":         bucket + ".s3.amazonaws.com",
			"bucketRegionalDomainName": fmt.Sprintf("%s.s3.%s.amazonaws.com", bucket, region),
			"region":                   region,
		}
	case "aws:iam/role:Role":
		role, path := str("name"), str("path")
		if role == "" { // Pulumi autonames it: the resource name and 7 random hex digits
			role = name + "-" + m.hash(name)[:7]
		}
		if path == "" {
			path = "/"
		}
		return role, map[string]any{
			"name":     role,
			"arn":      fmt.Sprintf("arn:%s:iam::%s:role%s%s", m.partition, m.account, path, role),
			"uniqueId": "AROA" + strings.ToUpper(m.hash(name)[:17]),
		}
	case "aws:sns/topic:Topic":
		topic := str("name")
		if topic == "" {
			topic = name + "-" + m.hash(name)[:7]
		}
		arn := arnOf("sns", m.account, topic)
		return arn, map[string]any{"arn": arn, "name": topic}
	case "aws:iam/rolePolicy:RolePolicy":
		return str("role") + ":" + str("name"), nil
	case "aws:iam/policy:Policy":
		policy, path := str("name"), str("path")
		if policy == "" {
			policy = name + "-" + m.hash(name)[:7]
		}
		if path == "" {
			path = "/"
		}
		arn := fmt.Sprintf("arn:%s:iam::%s:policy%s%s", m.partition, m.account, path, policy)
		return arn, map[string]any{"name": policy, "arn": arn, "policyId": "ANPA" + strings.ToUpper(m.hash(name)[:17])}
	case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
		return str("role") + "/" + str("policyArn"), nil
	case "aws:oam/sink:Sink": // the sink's ID is its ARN, arn:aws:oam:<region>:<account>:sink/<uuid>
		arn := arnOf("oam", m.account, "sink/"+m.uuid(name))
		return arn, map[string]any{"arn": arn, "sinkId": m.uuid(name)}
	case "aws:oam/link:Link":
		arn := arnOf("oam", m.account, "link/"+m.uuid(name))
		return arn, map[string]any{"arn": arn, "linkId": m.uuid(name), "label": m.account, "sinkArn": str("sinkIdentifier")}
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		return str("name"), map[string]any{"arn": arnOf("cloudwatch", m.account, "alarm:"+str("name"))}
	case "aws:cloudwatch/dashboard:Dashboard": // dashboards are global to the account: no Region in the ARN
		return str("dashboardName"), map[string]any{"dashboardArn": fmt.Sprintf("arn:%s:cloudwatch::%s:dashboard/%s", m.partition, m.account, str("dashboardName"))}
	}
	if b := str("bucket"); strings.HasPrefix(typ, "aws:s3/") && b != "" {
		return b, nil // S3 bucket sub-resources are identified by their bucket
	}
	if typ == awsProviderType {
		// The reference is URN::ID; an ID that says the Region reads well in a plan.
		return str("region") + "-" + m.hash(name)[:8], nil
	}
	return name + "-id", nil
}

func (m *mocks) hash(name string) string {
	sum := sha256.Sum256([]byte(m.partition + "/" + m.account + "/" + m.region + "/" + m.stack + "/" + name))
	return hex.EncodeToString(sum[:])
}

// uuid is a stable, UUID-shaped KMS key ID.
func (m *mocks) uuid(name string) string {
	h := m.hash(name)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// plain turns property values into JSON-ready Go values.
func plain(p resource.PropertyMap) map[string]any {
	out := p.Mappable()
	if out == nil {
		return map[string]any{}
	}
	return out
}
