// Ask in plain words: semantic models, the offline translator, the model client and the
// question pipeline. What other packages use is exported here.
export type { AnswerInput } from './answer.ts';
export { formatNumber, templateAnswer } from './answer.ts';
export { MAX_ANSWER_ATTEMPTS } from './ask-answer.ts';
export { looksLikeSql, MAX_SQL_ATTEMPTS } from './ask-sql.ts';
export { type DatasetCatalogView, datasetCatalog } from './catalog.ts';
export { exampleQuestions } from './examples.ts';
export { poolExecutor, type SqlExecutor, type SqlRunRequest } from './execute.ts';
export type { Frame } from './frame.ts';
export { conversationHistory } from './history.ts';
export { inferModel } from './infer.ts';
export * from './model.ts';
export {
  type ChatMessage,
  createModelClient,
  type ModelClient,
  type ModelConfig,
} from './model-client.ts';
export { parseModelFile, SemanticModelFile, SemanticModelFileError } from './model-file.ts';
export { SemanticModels } from './models.ts';
export type { ConversationTurn } from './prompts.ts';
export { createQuestionPipeline, type QuestionPipelineOptions } from './question-pipeline.ts';
export { reviewAnswer } from './review.ts';
export { sameResult } from './same-result.ts';
export { loadSemanticModel, modelFilePath } from './semantic.ts';
export { SHOP_MODEL } from './shop-model.ts';
export { suggest } from './suggest.ts';
export {
  createTranslator,
  type Refusal,
  type Translated,
  type Translation,
  type Translator,
  translate,
} from './translate.ts';
export { validateSql } from './validate-sql.ts';
