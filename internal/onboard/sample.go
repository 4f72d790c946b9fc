package onboard

import (
	"os"

	"log-archive/internal/plan"
)

// SampleAccount is the account ID a fleet's sample stack is planned for: the bootstrap template puts
// each account's own ID where it appears in the sample's deployer policy.
const SampleAccount = "101010101010"

// SampleStack is the sample's stack name.
const SampleStack = "fleet-sample"

// Planned is a stack with its offline plan.
type Planned struct {
	Stack plan.Stack
	Plan  *plan.Plan
}

// PlanSample plans what fleet.yaml renders for an account (SampleAccount, the fleet's Region), with the
// archive admitting it, and the archive itself: the inputs of the deployer policies every source account
// and the archive account get from the bootstrap template.
func PlanSample(dir string, program plan.Program) (source, archive Planned, err error) {
	p, err := loadProject(dir, true)
	if err != nil {
		return Planned{}, Planned{}, err
	}
	sample := Account{Account: SampleAccount, Stack: SampleStack}
	content, err := p.fleet.Render(dir, sample)
	if err != nil {
		return Planned{}, Planned{}, err
	}
	p.setFile(StackFile(sample.Stack), nil, content)
	p.admit([]Account{sample})
	if len(p.problems) > 0 {
		return Planned{}, Planned{}, p.problems
	}
	staging, err := os.MkdirTemp("", "log-archive-sample-")
	if err != nil {
		return Planned{}, Planned{}, err
	}
	defer os.RemoveAll(staging)
	if err := p.stage(staging); err != nil {
		return Planned{}, Planned{}, err
	}
	for _, x := range []struct {
		name string
		out  *Planned
	}{{p.fleet.DestinationName(), &archive}, {sample.Stack, &source}} {
		if x.out.Stack, err = plan.LoadStack(staging, x.name); err != nil {
			return Planned{}, Planned{}, err
		}
		if x.out.Plan, err = plan.PlanStack(staging, x.name, program); err != nil {
			return Planned{}, Planned{}, err
		}
	}
	return source, archive, nil
}

// OtherRegions are the stacks of fleet.yaml that deploy to another Region than its own.
func OtherRegions(dir string) []string {
	f, err := LoadFleet(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range f.Accounts {
		if f.RegionOf(a) != f.Region {
			out = append(out, a.Stack)
		}
	}
	return out
}
