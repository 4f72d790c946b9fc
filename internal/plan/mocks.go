package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"sync"

	"log-archive/internal/catalog"

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

const awsProviderType = string(catalog.AWSProvider)

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

// computed returns the ID and the output properties AWS would assign to a resource in region: the
// resource-type catalogue's, with the random parts (key IDs, autoname suffixes) a hash of the name, so a
// plan reads the same every run.
func (m *mocks) computed(typ, name string, in resource.PropertyMap, region string) (string, map[string]any) {
	t := catalog.Type(typ)
	at := catalog.Location{Partition: m.partition, Region: region, Account: m.account}
	inputs := catalog.Inputs(plain(in))
	id := catalog.NewID(t, at, inputs, name, m.hash(name))
	return id, catalog.Outputs(t, at, id, inputs)
}

func (m *mocks) hash(name string) string {
	sum := sha256.Sum256([]byte(m.partition + "/" + m.account + "/" + m.region + "/" + m.stack + "/" + name))
	return hex.EncodeToString(sum[:])
}

// plain turns property values into JSON-ready Go values.
func plain(p resource.PropertyMap) map[string]any {
	out := p.Mappable()
	if out == nil {
		return map[string]any{}
	}
	return out
}
