package whatif

// Check validates a study as Evaluate does before pricing anything (its inputs, every
// scenario's FX shocks, the sweep's points, measure and first point's policy, the limits) and
// returns the evaluations Evaluate would make (flows × scenario states, the Total of its
// Progress). The caller uses it to refuse a bad study before storing it, and to decide how to
// run a good one; a nil error means Evaluate will not refuse the study's inputs.
func Check(s *Study) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	e, err := newEvaluator(s)
	if err != nil {
		return 0, err
	}
	return int64(len(e.flows)) * int64(len(e.variants)), nil
}
