import { ref, type Ref } from 'vue'
import type { TrainOn, TrainOnOptions } from '../../../src-shared/contract'
import { useClusterStore } from '../stores/cluster'

/**
 * A form's "Train on" choice and what to send with it: nothing while no cluster is configured (main would
 * refuse 'cluster', and an older main takes no options), else the choice.
 */
export function useTrainOn(): { trainOn: Ref<TrainOn>; options: () => TrainOnOptions | undefined } {
  const cluster = useClusterStore()
  const trainOn = ref<TrainOn>('local')
  return { trainOn, options: () => (cluster.configured ? { trainOn: trainOn.value } : undefined) }
}
