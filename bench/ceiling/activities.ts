export const CEILING_TASK_QUEUE = 'bench-ceiling';

/** The ceiling's only activity: it does nothing, so what is measured is Temporal's own cost. */
export const ceilingActivities = {
  async nothing(): Promise<void> {
    // Intentionally empty.
  },
};

export type CeilingActivities = typeof ceilingActivities;
