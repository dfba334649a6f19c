import { ApplicationFailure } from '@temporalio/common';
import type { Template } from '../shared/template/validate.js';

/** The part of the template registry the engine needs; `infra/templates.ts` provides it. */
export interface TemplateLookup {
  findTemplate(id: string, version?: number): Template | undefined;
  /** Every known template; lets a new campaign learn inputs from other processes of its state. */
  allTemplates?(): Template[];
}

export function createTemplateActivities(templates: TemplateLookup) {
  return {
    /** Templates are read from disk by the worker, never inside workflow code. */
    resolveTemplate(id: string, version?: number): Promise<Template> {
      const template = templates.findTemplate(id, version);
      if (!template)
        throw ApplicationFailure.nonRetryable(
          `template ${id}${version ? ` v${version}` : ''} is not known to this worker; add it under templates/ or TEMPLATES_DIR`,
          'template-not-found',
        );
      return Promise.resolve(template);
    },
  };
}
