"""arpk_nlp"""
